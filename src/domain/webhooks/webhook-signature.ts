import { createHmac, randomBytes } from 'node:crypto';
import type { SecretBox } from '../../crypto/secret-box.ts';

// Standard Webhooks signing (https://www.standardwebhooks.com): the secret is `whsec_` + base64 key; the signature
// is `v1,` + base64 HMAC-SHA256 of `${id}.${timestamp}.${body}` under the decoded key. Several signatures (during a
// secret rotation) are joined by spaces, and a receiver accepts the message if any of them verifies.

const PREFIX = 'whsec_';

/** A new endpoint secret: `whsec_` + base64 of 24 random bytes. */
export function newWebhookSecret(): string {
  return PREFIX + randomBytes(24).toString('base64');
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new Error('Invalid webhook secret');
  return key;
}

/** `v1,<base64 signature>` of one message under one secret. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/**
 * The three Standard Webhooks headers for one attempt. `id` stays the same across retries (receivers dedupe on it);
 * the timestamp is the attempt's, in unix seconds; every secret given signs.
 */
export function webhookHeaders(secrets: readonly string[], id: string, body: string, now: Date = new Date()): WebhookHeaders {
  if (secrets.length === 0) throw new Error('No webhook secret to sign with');
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signWebhook(s, id, timestamp, body)).join(' '),
  };
}

/** The secrets that sign now: the endpoint's current one, and the previous one during a rotation's overlap. */
export function signingSecrets(
  box: SecretBox,
  row: { secret: string; previousSecret: string | null; previousSecretExpiresAt: Date | null },
  now = new Date(),
): string[] {
  const overlap = row.previousSecret && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now;
  return overlap ? [box.open(row.secret), box.open(row.previousSecret!)] : [box.open(row.secret)];
}
