import nodemailer from 'nodemailer';
import type { EmailConfig } from './config.ts';

// One pooled SMTP transport per adapter instance (per channel and config version): connections are reused across
// replies. Timeouts are short so a hung relay fails the dispatch job (retried later) instead of holding a worker;
// the socket timeout also closes idle pooled connections.

const TIMEOUT_MS = 15_000;

export function createSmtpTransport(config: EmailConfig) {
  const { smtp, dkim } = config;
  return nodemailer.createTransport({
    pool: true,
    maxConnections: 3,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user && smtp.pass ? { auth: { user: smtp.user, pass: smtp.pass } } : {}),
    tls: { rejectUnauthorized: smtp.tls_reject_unauthorized },
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
    ...(dkim ? { dkim: { domainName: dkim.domain_name, keySelector: dkim.key_selector, privateKey: dkim.private_key } } : {}),
  });
}

export type SmtpTransport = ReturnType<typeof createSmtpTransport>;
