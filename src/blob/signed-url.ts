import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// Download links for stored files: `GET /files/{id}?expires=<unix seconds>&sig=<base64url HMAC-SHA256>`.
// The signature is the only credential (a browser <img> or a provider fetching media cannot send an API key),
// so links are short-lived and bound to one attachment id and one expiry.

export const FILE_URL_TTL_SECONDS = 900;

/** A key of its own, derived from the master secret, so a file signature never verifies as any other MAC we make. */
function fileKey(masterSecret: string): Buffer {
  return createHash('sha256').update(`switchboard-files:${masterSecret}`).digest();
}

const mac = (masterSecret: string, attachmentId: string, expires: number): Buffer =>
  createHmac('sha256', fileKey(masterSecret)).update(`${attachmentId}.${expires}`).digest();

const unixNow = (now: Date) => Math.floor(now.getTime() / 1000);

/** `${publicUrl}/files/${id}?expires=…&sig=…`, valid for `ttlSeconds` from `now`. */
export function signFileUrl(
  publicUrl: string,
  secret: string,
  attachmentId: string,
  ttlSeconds: number = FILE_URL_TTL_SECONDS,
  now: Date = new Date(),
): string {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`ttlSeconds must be a positive integer`);
  const expires = unixNow(now) + ttlSeconds;
  const sig = mac(secret, attachmentId, expires).toString('base64url');
  const base = publicUrl.replace(/\/+$/, '');
  return `${base}/files/${encodeURIComponent(attachmentId)}?expires=${expires}&sig=${sig}`;
}

/**
 * True only for a genuine signature of this id and expiry that has not expired. `expires` arrives as the query
 * string's text: only canonical decimal (digits, no leading zero) counts, so a link has exactly one spelling.
 */
export function verifyFileSignature(
  secret: string,
  attachmentId: string,
  expires: string | number,
  sig: string,
  now: Date = new Date(),
): boolean {
  const text = String(expires);
  if (!/^[1-9]\d{0,11}$/.test(text)) return false;
  const at = Number(text);
  if (at <= unixNow(now)) return false;
  // Compared as text, so a signature has one spelling too (base64url's unused trailing bits cannot vary).
  const expected = Buffer.from(mac(secret, attachmentId, at).toString('base64url'));
  const given = Buffer.from(sig);
  // Constant time; the length is checked first (timingSafeEqual throws on a mismatch, and the length is public).
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Seconds a link with this `expires` stays valid (0 once expired): the Cache-Control max-age of a download. */
export function secondsLeft(expires: string | number, now: Date = new Date()): number {
  return Math.max(0, Number(expires) - unixNow(now));
}
