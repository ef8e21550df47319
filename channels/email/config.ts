import { z } from 'zod';
import type { ChannelCapabilities } from '../../src/domain/model/adapter.ts';

// An email channel (docs/email.md): one support address, outbound through the admin's SMTP relay, inbound through
// core's SMTP listener, the raw-MIME webhook (authenticated by webhook_secret) or IMAP polling (read by core's poller).

const MB = 1024 * 1024;

/** Header values go on the wire verbatim: a CR or LF would let a config value inject headers. */
const headerSafe = (what: string) =>
  z
    .string()
    .min(1, `The ${what} is required`)
    .max(500)
    .regex(/^[^\r\n]*$/, `The ${what} must be one line`);

const host = z.string().trim().min(1, 'The host is required').max(255).regex(/^[a-z0-9.:[\]-]+$/i, 'Expected a host name such as smtp.acme.example');
const port = z.number().int().min(1).max(65_535);

/**
 * The support address. A `+` in its local part is refused: plus-addressing carries our reply tokens and VERP bounce
 * ids (`support+k7Qz2@…`), so the base address must not have one.
 */
const supportAddress = z
  .email({ error: 'Expected an email address such as support@acme.example' })
  .max(254)
  .transform((s) => s.toLowerCase())
  .refine((s) => !s.split('@')[0]!.includes('+'), 'The support address cannot contain "+" (used for reply tokens)');

const smtp = z
  .strictObject({
    host,
    port: port.default(587),
    /** true = implicit TLS (465); false = plain + STARTTLS when offered (587/25). */
    secure: z.boolean().default(false),
    user: z.string().min(1).max(500).optional(),
    pass: z.string().min(1).max(4096).optional(),
    tls_reject_unauthorized: z.boolean().default(true),
  })
  .refine((s) => (s.user === undefined) === (s.pass === undefined), {
    message: 'SMTP authentication needs both user and pass (or neither)',
    path: ['pass'],
  });

const dkim = z.strictObject({
  domain_name: z.string().trim().min(1).max(255).regex(/^[a-z0-9.-]+$/i, 'Expected a domain such as acme.example').transform((s) => s.toLowerCase()),
  key_selector: z.string().trim().min(1).max(63).regex(/^[a-z0-9._-]+$/i, 'Expected a DKIM selector such as s1'),
  private_key: z.string().max(20_000).regex(/-----BEGIN (RSA |EC )?PRIVATE KEY-----/, 'Expected a PEM private key'),
});

const imap = z.strictObject({
  host,
  port: port.default(993),
  secure: z.boolean().default(true),
  user: z.string().min(1).max(500),
  pass: z.string().min(1).max(4096),
  mailbox: z.string().min(1).max(500).default('INBOX'),
  poll_seconds: z.number().int().min(5).max(86_400).default(60),
  tls_reject_unauthorized: z.boolean().default(true),
});

export const emailConfigSchema = z.strictObject({
  address: supportAddress,
  name: headerSafe('display name').max(200).default('Support'),
  smtp,
  dkim: dkim.optional(),
  /** Authenticates the raw-MIME webhook (bearer token or HMAC-SHA256 of the body). */
  webhook_secret: z.string().min(16, 'Use at least 16 characters').max(500).optional(),
  imap: imap.optional(),
  /** Cap on a mail's attachments inbound and outbound (Gmail sends 25 MB). */
  max_message_bytes: z.number().int().min(1024).max(100 * MB).default(25 * MB),
});

export type EmailConfig = z.infer<typeof emailConfigSchema>;

export const emailSecretFields = ['smtp.pass', 'imap.pass', 'dkim.private_key', 'webhook_secret'] as const;

/**
 * Each mail server's password goes to its host (another port of the same host is the same machine); the DKIM key
 * and the webhook secret are never sent anywhere.
 */
export const emailCredentialDestinations = { 'smtp.host': ['smtp.pass'], 'imap.host': ['imap.pass'] } as const;

export const emailWebhookPaths = { mime: 'mime' } as const;

export const emailCapabilities: ChannelCapabilities = {
  maxTextLength: 100_000,
  textFormat: 'markdown',
  replyWindowMs: null,
  threads: false,
  threadsByHeaders: true,
  attachments: true,
  // After a crash mid-send: the Message-ID is made from our message id: a repeat is the same mail.
  resend: 'dedupes',
  csat: 'links', // five signed links: mail has no buttons we can rely on
};

/** `support@acme.example` → ['support', 'acme.example']. */
export function splitAddress(address: string): [local: string, domain: string] {
  const at = address.lastIndexOf('@');
  return [address.slice(0, at), address.slice(at + 1)];
}
