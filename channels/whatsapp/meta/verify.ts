import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RawWebhook } from '../../../src/domain/model/adapter.ts';
import { WebhookAuthError } from '../../../src/errors.ts';

// Meta proves itself two ways (https://developers.facebook.com/docs/graph-api/webhooks/getting-started): the
// subscription handshake (a GET carrying our verify token) and X-Hub-Signature-256 on every notification, an HMAC of
// the raw bytes. The body escapes non-ASCII as \uXXXX, so only the bytes received verify: never a re-serialized
// object. Meta's own SDKs answer 403 on a mismatch.

/** Constant time even when the lengths differ (timingSafeEqual alone throws on that and leaks the length). */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

export function verifyHandshake(verifyToken: string, req: RawWebhook): void {
  const query = new URL(req.url).searchParams;
  if (query.get('hub.mode') !== 'subscribe') {
    throw new WebhookAuthError('Meta handshake without hub.mode=subscribe', 'FORBIDDEN');
  }
  if (!sameSecret(query.get('hub.verify_token') ?? '', verifyToken)) {
    throw new WebhookAuthError('hub.verify_token does not match the channel verify token', 'FORBIDDEN');
  }
}

export function verifySignature(appSecret: string, req: RawWebhook): void {
  const header = req.headers.get('x-hub-signature-256');
  if (!header) throw new WebhookAuthError('Missing X-Hub-Signature-256 header', 'FORBIDDEN');
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match?.[1]) throw new WebhookAuthError('Malformed X-Hub-Signature-256 header', 'FORBIDDEN');
  const expected = createHmac('sha256', appSecret).update(Buffer.from(req.body, 'utf8')).digest();
  if (!timingSafeEqual(Buffer.from(match[1], 'hex'), expected)) {
    throw new WebhookAuthError('X-Hub-Signature-256 does not match this body (wrong app secret?)', 'FORBIDDEN');
  }
}
