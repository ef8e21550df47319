import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

// The sandbox's outgoing mail server: the email channel's replies are handed to it over real SMTP, and it keeps
// them for `GET /sent` instead of delivering them anywhere.

export interface SunkMail {
  envelopeFrom: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string | undefined;
  inReplyTo: string | undefined;
  autoSubmitted: string | undefined;
  at: Date;
}

export interface MailSink {
  port: number;
  mails: SunkMail[];
  close(): Promise<void>;
}

export async function startMailSink(port = 0): Promise<MailSink> {
  const mails: SunkMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const env = session.envelope;
          mails.push({
            envelopeFrom: env.mailFrom ? env.mailFrom.address : '',
            to: env.rcptTo.map((r) => r.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            messageId: mail.messageId,
            inReplyTo: mail.inReplyTo,
            autoSubmitted: mail.headers.get('auto-submitted')?.toString(),
            at: new Date(),
          });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
