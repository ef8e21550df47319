import { createHmac, timingSafeEqual } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../../src/db/client.ts';
import { contacts } from '../../../src/db/schema/index.ts';
import { resolveIdentity, updateContactDetails } from '../../../src/domain/contacts/contacts.ts';
import { insertContact } from '../../../src/domain/contacts/contacts.ts';
import { signVisitorToken, verifyVisitorToken } from './visitor-token.ts';
import { UnauthorizedError } from '../../../src/errors.ts';
import { verifyIdentityJwt } from './identity-jwt.ts';
import type { WebChannel } from './web-channel.ts';

// Who is chatting. Three ways in (docs/web-chat.md):
// - `user_id` + `user_hash`: the site's server made hex(HMAC-SHA256(identity_secret, user_id)); we check it in constant
//   time and the visitor is the contact with the web identity `user_id`.
//   Or `user_jwt`, an HS256 JWT of the same secret (identity-jwt.ts): `sub` is the user id, and its name and email,
//   being signed, become the contact's; unsigned ones are kept as non-verified.
// - a visitor token we issued before (or one from POST /widget/authenticate-user): the same contact again.
// - nothing: a new anonymous contact. What an anonymous visitor says about themselves is kept as non-verified.

/** Anonymous visitors keep their history as long as their browser keeps the token. */
export const WIDGET_TOKEN_TTL_SECONDS = 180 * 24 * 60 * 60;

export interface VisitorRequest {
  token?: string | undefined;
  user_id?: string | undefined;
  user_hash?: string | undefined;
  user_jwt?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
}

export interface Visitor {
  orgId: string;
  contactId: string;
}

export const userHash = (secret: string, userId: string): string => createHmac('sha256', secret).update(userId).digest('hex');

export function userHashMatches(secret: string, userId: string, hash: string): boolean {
  const expected = Buffer.from(userHash(secret, userId), 'hex');
  const given = Buffer.from(hash, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** True when registering makes a new anonymous contact: no token to renew, no identity the site vouched for. */
export const createsAnonymousVisitor = (req: VisitorRequest): boolean =>
  req.token === undefined && req.user_id === undefined && req.user_jwt === undefined;

/** POST /widget/{id}/visitors: the visitor and a fresh token. */
export async function registerVisitor(db: Db, masterSecret: string, channel: WebChannel, req: VisitorRequest) {
  let contactId: string;
  let verified = false;
  const identified = verifiedIdentity(channel, req);
  if (identified) {
    contactId = await db.transaction(async (tx) => {
      const id = await resolveIdentity(tx, channel.orgId, 'web', identified.userId, {});
      if (identified.signed) await updateContactDetails(tx, channel.orgId, id, { name: identified.name, email: identified.email });
      else await setUnverifiedDetails(tx, id, identified);
      return id;
    });
    verified = true;
  } else if (req.token !== undefined) {
    contactId = (await visitorFromToken(db, masterSecret, channel, req.token)).contactId;
  } else {
    contactId = (await insertContact(db, channel.orgId, {}))!;
    await setUnverifiedDetails(db, contactId, req);
  }
  const { token } = signVisitorToken(masterSecret, { org: channel.orgId, contact: contactId }, new Date(), WIDGET_TOKEN_TTL_SECONDS);
  return { token, visitor: { contact_id: contactId, verified } };
}

/** The site-vouched identity (user_hash or user_jwt), checked; undefined when the request names none. */
function verifiedIdentity(channel: WebChannel, req: VisitorRequest) {
  if (req.user_id === undefined && req.user_jwt === undefined) return undefined;
  const secret = channel.config.identity_secret;
  if (!secret) throw new UnauthorizedError('Identity verification is not set up for this chat (the channel has no identity_secret)');
  if (req.user_jwt !== undefined) {
    const claims = verifyIdentityJwt(secret, req.user_jwt);
    if (typeof claims === 'string') throw new UnauthorizedError(claims);
    return { userId: claims.sub, name: claims.name, email: claims.email, signed: true };
  }
  if (!req.user_hash || !userHashMatches(secret, req.user_id!, req.user_hash)) {
    throw new UnauthorizedError('user_hash does not match user_id: it must be hex(HMAC-SHA256(identity_secret, user_id))');
  }
  // user_hash signs the user id only: the name and email beside it are the page's word, kept as non-verified.
  return { userId: req.user_id!, name: req.name, email: req.email, signed: false };
}

/** What a visitor says about themselves, unsigned: kept apart from the verified fields (Open's non_verified_*). */
async function setUnverifiedDetails(db: Db | Tx, contactId: string, d: { name?: string | undefined; email?: string | undefined }) {
  if (d.name === undefined && d.email === undefined) return;
  await db
    .update(contacts)
    .set({ ...(d.name !== undefined ? { nonVerifiedName: d.name } : {}), ...(d.email !== undefined ? { nonVerifiedEmail: d.email } : {}) })
    .where(eq(contacts.id, contactId));
}

/** The visitor a token names, if it is genuine, unexpired, of this channel's organization and the contact exists. */
export async function visitorFromToken(db: Db, masterSecret: string, channel: WebChannel, token: string): Promise<Visitor> {
  const claims = verifyVisitorToken(masterSecret, token);
  if (!claims || claims.org !== channel.orgId) throw new UnauthorizedError('Invalid or expired visitor token');
  const [row] = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.orgId, claims.org), eq(contacts.id, claims.contact)))
    .limit(1);
  if (!row) throw new UnauthorizedError('Invalid or expired visitor token');
  return { orgId: claims.org, contactId: row.id };
}
