import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { MailEnvelope } from '../../../src/domain/model/adapter.ts';
import { acceptMail, findMailChannelByAddress, type MailChannel, type MailDeps } from './mail-inbound.ts';
import { readMessageCapped, smtpError } from './smtp-data.ts';

// Our MX for the email channels' addresses (docs/email.md, RFC 5321). Recipients are checked at RCPT so unknown mail
// is refused before its body is sent; a 250 after DATA is sent only once the message is committed, because that reply
// is the sending MTA's licence to delete its copy.

export interface SmtpListenerOptions {
  port: number;
  host: string;
  /** Largest message accepted, in bytes; advertised with SIZE and enforced after DATA (552 5.3.4). */
  maxBytes: number;
  /** A certificate enables STARTTLS (offered, not required: senders to an MX fall back to plain). */
  tls?: { key: Buffer; cert: Buffer };
}

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

/** The channels one transaction's accepted recipients belong to, keyed by channel id. */
type Targets = Map<string, { channel: MailChannel; rcptTo: string[] }>;

/** How long close() lets a transaction in flight finish before the remaining connections get 421 (they retry). */
const CLOSE_GRACE_MS = 5_000;

export async function startSmtpListener(deps: MailDeps, opts: SmtpListenerOptions): Promise<SmtpListener> {
  const log = deps.logger.child({ component: 'smtp-listener' });
  // smtp-server makes a new envelope object for every transaction (MAIL FROM … DATA), so it keys the recipients
  // resolved at RCPT without any per-connection cleanup.
  const targetsByEnvelope = new WeakMap<object, Targets>();

  const server = new SMTPServer({
    banner: 'Switchboard ESMTP',
    logger: false,
    // An MX for our own domains: anyone may hand us mail for them, nobody may relay through us.
    authOptional: true,
    disabledCommands: opts.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    size: opts.maxBytes,
    closeTimeout: CLOSE_GRACE_MS,
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {}),

    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      findMailChannelByAddress(deps.db, address.address).then(
        (channel) => {
          if (!channel) return callback(smtpError(550, '5.1.1 No such mailbox here'));
          const targets: Targets = targetsByEnvelope.get(session.envelope) ?? new Map();
          targetsByEnvelope.set(session.envelope, targets);
          const target = targets.get(channel.id) ?? { channel, rcptTo: [] };
          // smtp-server keeps one entry for a recipient given twice; so do we.
          const lower = address.address.toLowerCase();
          if (!target.rcptTo.some((a) => a.toLowerCase() === lower)) target.rcptTo.push(address.address);
          targets.set(channel.id, target);
          callback();
        },
        (err: unknown) => {
          log.error({ err }, 'recipient lookup failed');
          callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
        },
      );
    },

    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      deliver(stream, session).then(
        () => callback(null, '2.0.0 Message accepted'),
        (err: Error) => callback(err),
      );
    },
  });

  async function deliver(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const raw = await readMessageCapped(stream, opts.maxBytes);
    if (stream.sizeExceeded) throw smtpError(552, `5.3.4 Message too big: the limit is ${opts.maxBytes} bytes`);
    const targets = targetsByEnvelope.get(session.envelope);
    if (!targets) throw smtpError(451, '4.3.0 No recipient resolved, try again later');
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    // One channel after the other: if a later one fails, the sender retries the whole message and the channels
    // that already have it drop the copy by Message-ID.
    for (const { channel, rcptTo } of targets.values()) {
      const envelope: MailEnvelope = { transport: 'smtp', mailFrom, rcptTo };
      try {
        await acceptMail(deps, channel, raw, envelope);
      } catch (err) {
        log.error({ err, channelId: channel.id }, 'could not commit inbound mail; answering 451');
        throw smtpError(451, '4.3.0 Temporary failure storing the message, try again later');
      }
    }
  }

  server.on('error', (err: Error) => log.warn({ err: err.message }, 'smtp connection error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
