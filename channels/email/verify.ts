import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RawWebhook } from '../../src/domain/model/adapter.ts';
import { WebhookAuthError } from '../../src/errors.ts';

// The raw-MIME webhook (docs/email.md "Three ways in, one parser") is anyone's relay posting `message/rfc822`: it
// proves itself with the channel's webhook_secret, either as a bearer token (simple relays) or as an HMAC-SHA256 of
// the body bytes (relays that can sign, so the secret never travels). Both compared in constant time.

/** Equal-length digests first, so neither the secret's length nor a prefix match leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function bodyBytes(req: RawWebhook): Uint8Array {
  return req.bytes ?? Buffer.from(req.body, 'utf8');
}

export function mimeSignature(secret: string, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verifyMimeWebhook(secret: string | undefined, req: RawWebhook): void {
  if (!secret) throw new WebhookAuthError('This email channel has no webhook_secret: its raw-MIME webhook is disabled');
  const authorization = req.headers.get('authorization');
  const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  if (bearer !== undefined && sameSecret(bearer, secret)) return;
  const signature = req.headers.get('x-switchboard-signature')?.trim().toLowerCase();
  if (signature !== undefined && sameSecret(signature, mimeSignature(secret, bodyBytes(req)))) return;
  if (bearer === undefined && signature === undefined) {
    throw new WebhookAuthError('Missing Authorization: Bearer <webhook_secret> or X-Switchboard-Signature: sha256=<hmac>');
  }
  throw new WebhookAuthError('The webhook secret or signature does not match');
}
