import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// A verified web-chat visitor: the customer's server calls POST /widget/authenticate-user with an admin key and
// hands the token to its page; the web chat presents it to prove who the visitor is. Stateless (no table), so any
// gateway process can check it: `base64url(JSON payload).base64url(HMAC-SHA256)`.

export const VISITOR_TOKEN_TTL_SECONDS = 24 * 60 * 60;

export interface VisitorClaims {
  /** Organization id. */
  org: string;
  /** Contact id. */
  contact: string;
  /** Expiry, seconds since the epoch (as in JWT). */
  exp: number;
}

/** A key of its own, derived from the master secret, so a token can never be confused with any other MAC we make. */
function tokenKey(masterSecret: string): Buffer {
  return createHash('sha256').update(`switchboard-visitor-token:${masterSecret}`).digest();
}

const mac = (masterSecret: string, body: string) => createHmac('sha256', tokenKey(masterSecret)).update(body).digest();

export function signVisitorToken(
  masterSecret: string,
  subject: { org: string; contact: string },
  now: Date = new Date(),
  ttlSeconds: number = VISITOR_TOKEN_TTL_SECONDS,
): { token: string; claims: VisitorClaims } {
  const claims: VisitorClaims = {
    org: subject.org,
    contact: subject.contact,
    exp: Math.floor(now.getTime() / 1000) + ttlSeconds,
  };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return { token: `${body}.${mac(masterSecret, body).toString('base64url')}`, claims };
}

/** The claims of a genuine, unexpired token; null for anything else (tampered, expired, malformed). */
export function verifyVisitorToken(masterSecret: string, token: string, now: Date = new Date()): VisitorClaims | null {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return null;
  const expected = mac(masterSecret, body);
  const given = Buffer.from(sig, 'base64url');
  // Compare in constant time; a length mismatch is already a failure (timingSafeEqual would throw).
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!isClaims(claims)) return null;
  return claims.exp > now.getTime() / 1000 ? claims : null;
}

function isClaims(v: unknown): v is VisitorClaims {
  const c = v as Partial<VisitorClaims> | null;
  return typeof c === 'object' && c !== null && typeof c.org === 'string' && typeof c.contact === 'string' && Number.isFinite(c.exp);
}
