import { describe, expect, it } from 'vitest';
import { emailConfigSchema } from '../../../channels/email/config.ts';
import { emailAdapter } from '../../../channels/email/index.ts';

// The email channel's config: defaults, the support address rules, secrets named by dotted path.

const minimal = { address: 'Support@Acme.Example', smtp: { host: 'smtp.acme.example' } };

describe('email config', () => {
  it('fills defaults and lowercases the address', () => {
    expect(emailConfigSchema.parse(minimal)).toEqual({
      address: 'support@acme.example',
      name: 'Support',
      smtp: { host: 'smtp.acme.example', port: 587, secure: false, tls_reject_unauthorized: true },
      max_message_bytes: 25 * 1024 * 1024,
    });
  });

  it('fills IMAP defaults', () => {
    const c = emailConfigSchema.parse({ ...minimal, imap: { host: 'imap.acme.example', user: 'support', pass: 'p' } });
    expect(c.imap).toEqual({
      host: 'imap.acme.example', port: 993, secure: true, user: 'support', pass: 'p', mailbox: 'INBOX', poll_seconds: 60, tls_reject_unauthorized: true,
    });
  });

  it('refuses what would break addressing, headers or auth', () => {
    const bad: Array<[string, Record<string, unknown>]> = [
      ['not an address', { ...minimal, address: 'support' }],
      ['plus in the address', { ...minimal, address: 'support+x@acme.example' }],
      ['newline in the name', { ...minimal, name: 'Acme\r\nBcc: x@y' }],
      ['user without pass', { ...minimal, smtp: { host: 'h', user: 'u' } }],
      ['short webhook secret', { ...minimal, webhook_secret: 'short' }],
      ['poll too often', { ...minimal, imap: { host: 'h', user: 'u', pass: 'p', poll_seconds: 1 } }],
      ['not a PEM key', { ...minimal, dkim: { domain_name: 'acme.example', key_selector: 's1', private_key: 'abc' } }],
      ['unknown field', { ...minimal, smtp_host: 'x' }],
      ['unknown smtp field', { ...minimal, smtp: { host: 'h', password: 'x' } }],
      ['no smtp', { address: 'support@acme.example' }],
    ];
    for (const [why, input] of bad) expect(emailConfigSchema.safeParse(input).success, why).toBe(false);
  });

  it('names its secrets by dotted path and describes the channel', () => {
    expect(emailAdapter.kind).toBe('email');
    expect(emailAdapter.providers).toEqual(['smtp']);
    expect([...emailAdapter.secretFields].sort()).toEqual(['dkim.private_key', 'imap.pass', 'smtp.pass', 'webhook_secret']);
    expect(emailAdapter.webhookPaths).toEqual({ mime: 'mime' });
    expect(emailAdapter.capabilities).toEqual({
      maxTextLength: 100_000, textFormat: 'markdown', replyWindowMs: null, threads: false, threadsByHeaders: true, attachments: true, resend: 'dedupes', csat: 'links',
    });
  });
});
