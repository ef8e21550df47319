import { readFileSync } from 'node:fs';
import type { Config } from '../../../src/config.ts';
import type { Deps } from '../../../src/deps.ts';
import { startSmtpListener } from './smtp-listener.ts';

// The email channels' inbound transport a process runs besides HTTP: the SMTP listener, in every process that
// serves the API (an MX record can list several). IMAP polling is the worker side's, elected so that one process
// polls at a time (src/roles/background.ts); dedupe by Message-ID keeps a mail from being stored twice either way.

export interface MailTransports {
  smtpPort: number | undefined;
  close(): Promise<void>;
}

export async function startMailTransports(deps: Deps, config: Config): Promise<MailTransports> {
  const { smtp } = config.mail;
  const tls = smtp.tlsKeyFile && smtp.tlsCertFile ? { key: readFileSync(smtp.tlsKeyFile), cert: readFileSync(smtp.tlsCertFile) } : undefined;
  const listener = smtp.enabled
    ? await startSmtpListener(deps, { port: smtp.port, host: smtp.host, maxBytes: smtp.maxBytes, ...(tls ? { tls } : {}) })
    : undefined;
  if (listener) deps.logger.info({ port: listener.port, starttls: tls !== undefined }, 'SMTP listener for email channels');
  return {
    smtpPort: listener?.port,
    close: async () => {
      await listener?.close();
    },
  };
}
