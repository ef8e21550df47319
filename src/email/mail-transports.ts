import { readFileSync } from 'node:fs';
import type { Config } from '../config.ts';
import type { Deps } from '../deps.ts';
import { startImapPolling } from './imap-poller.ts';
import { startSmtpListener } from './smtp-listener.ts';

// The email channels' inbound transports a process runs besides HTTP: the SMTP listener (every process may: an MX
// record can list several) and IMAP polling (with the workers; a cursor in the database keeps several pollers from
// reading a mail twice, and dedupe by Message-ID from storing it twice).

export interface MailTransports {
  smtpPort: number | undefined;
  close(): Promise<void>;
}

export async function startMailTransports(deps: Deps, config: Config, opts: { imap: boolean }): Promise<MailTransports> {
  const { smtp } = config.mail;
  const tls = smtp.tlsKeyFile && smtp.tlsCertFile ? { key: readFileSync(smtp.tlsKeyFile), cert: readFileSync(smtp.tlsCertFile) } : undefined;
  const listener = smtp.enabled
    ? await startSmtpListener(deps, { port: smtp.port, host: smtp.host, maxBytes: smtp.maxBytes, ...(tls ? { tls } : {}) })
    : undefined;
  if (listener) deps.logger.info({ port: listener.port, starttls: tls !== undefined }, 'SMTP listener for email channels');
  const poller = opts.imap && config.mail.imapPolling ? startImapPolling(deps) : undefined;
  return {
    smtpPort: listener?.port,
    close: async () => {
      await poller?.close();
      await listener?.close();
    },
  };
}
