import { and, eq, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { contacts } from '../../db/schema/index.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { type ContactDetails, findOrCreateContact, insertContact, updateContactDetails } from './contacts.ts';

// Writes of the contacts API. Emails are unique per organization (case-insensitive, enforced by
// contacts_org_email_uq); a write that would share one is a 409 that names the contact already holding it.

const emailTaken = (email: string, holder?: string) =>
  new ConflictError(`Another contact of this organization already has the email ${email}${holder ? ` (${holder})` : ''}`);

/** Postgres unique_violation, however the driver (postgres.js, PGlite) or drizzle wraps it. */
function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505') return true;
  }
  return false;
}

async function emailHolder(tx: Tx | Db, orgId: string, email: string, except?: string): Promise<string | undefined> {
  const [row] = await tx
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.orgId, orgId), sql`lower(${contacts.email}) = lower(${email})`, except ? ne(contacts.id, except) : undefined))
    .limit(1);
  return row?.id;
}

/** `POST /contacts`: always a new contact (unlike sessions, which find-or-create). */
export async function createContact(db: Db, orgId: string, d: ContactDetails): Promise<string> {
  const created = await insertContact(db, orgId, d);
  if (created) return created;
  throw emailTaken(d.email ?? '', d.email ? await emailHolder(db, orgId, d.email) : undefined);
}

/** `PATCH /contacts/{id}`: given fields replace, custom_data merges key by key. */
export async function updateContact(db: Db, orgId: string, contactId: string, d: ContactDetails): Promise<void> {
  try {
    await db.transaction(async (tx) => {
      const [own] = await tx
        .select({ id: contacts.id })
        .from(contacts)
        .where(and(eq(contacts.orgId, orgId), eq(contacts.id, contactId)))
        .for('update');
      if (!own) throw new NotFoundError('Contact');
      if (d.email) {
        const holder = await emailHolder(tx, orgId, d.email, contactId);
        if (holder) throw emailTaken(d.email, holder);
      }
      await updateContactDetails(tx, orgId, contactId, d);
    });
  } catch (err) {
    // Another request took the email between our check and our write.
    if (isUniqueViolation(err)) throw emailTaken(d.email ?? '');
    throw err;
  }
}

/** `DELETE /contacts/{id}`: identities and sessions (with their messages) go with it, by foreign-key cascade. */
export async function deleteContact(db: Db, orgId: string, contactId: string): Promise<void> {
  const deleted = await db
    .delete(contacts)
    .where(and(eq(contacts.orgId, orgId), eq(contacts.id, contactId)))
    .returning({ id: contacts.id });
  if (deleted.length === 0) throw new NotFoundError('Contact');
}

export interface VisitorDetails extends ContactDetails {
  language?: string | undefined;
}

/**
 * `POST /widget/authenticate-user`: the customer's server vouches for the visitor, so the contact found (by email,
 * else phone) or created is marked verified and takes the given details; custom data merges key by key.
 */
export async function authenticateVisitor(db: Db, orgId: string, d: VisitorDetails): Promise<string> {
  return db.transaction(async (tx) => {
    const contactId = await findOrCreateContact(tx, orgId, d);
    await updateContactDetails(tx, orgId, contactId, d);
    await tx
      .update(contacts)
      .set({ verified: true, ...(d.language !== undefined ? { language: d.language } : {}), updatedAt: new Date() })
      .where(and(eq(contacts.orgId, orgId), eq(contacts.id, contactId)));
    return contactId;
  });
}
