import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

// The second identity mode (docs/web-chat.md): the site's server signs a short-lived HS256 JWT with the channel's
// identity_secret, `{ sub, name?, email?, exp }`, as Intercom's messenger security does. Only HS256 is accepted
// (never `none`, never an algorithm the token picks for us), exp is required and at most an hour away.

const MAX_LIFETIME_S = 60 * 60;
const SKEW_S = 60;

const header = z.object({ alg: z.literal('HS256'), typ: z.string().optional() });
const claims = z.object({
  sub: z.string().min(1).max(200),
  exp: z.number().int(),
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
});

export type IdentityClaims = z.infer<typeof claims>;

/** The claims of a genuine, current token; a reason string otherwise (shown in the 401). */
export function verifyIdentityJwt(secret: string, jwt: string, now: Date = new Date()): IdentityClaims | string {
  const parts = jwt.split('.');
  if (parts.length !== 3) return 'user_jwt is not a JWT';
  const [h, p, sig] = parts as [string, string, string];
  const head = header.safeParse(decode(h));
  if (!head.success) return 'user_jwt must be signed with HS256';
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'user_jwt signature does not match the identity_secret';
  const body = claims.safeParse(decode(p));
  if (!body.success) return 'user_jwt needs sub and exp (name and email are optional)';
  const nowS = Math.floor(now.getTime() / 1000);
  if (body.data.exp <= nowS - SKEW_S) return 'user_jwt has expired';
  if (body.data.exp > nowS + MAX_LIFETIME_S + SKEW_S) return 'user_jwt must expire within an hour';
  return body.data;
}

function decode(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

/** For tests and site owners' examples: the token a site's server makes. */
export function signIdentityJwt(secret: string, payload: IdentityClaims): string {
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const unsigned = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
