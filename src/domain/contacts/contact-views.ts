import { type SQL, and, asc, eq, gte, inArray, lt, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { keysetPage, type TimeIdCursor, timeIdKeyset } from '../../db/keyset.ts';
import { contactIdentities, contacts } from '../../db/schema/index.ts';
import { NotFoundError } from '../../errors.ts';
import { type ContactJson, contactView } from './contact-view.ts';

// Reads of the contacts API: rows with their identities → Open's Contact JSON. Every query is scoped by org id:
// another organization's contact is "not found".

export interface ContactFilters {
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
  updatedAfter?: Date | undefined;
  updatedBefore?: Date | undefined;
  /** Substring of name, email or phone number. */
  q?: string | undefined;
  /** Exact email, case-insensitive (emails are unique per organization that way). */
  email?: string | undefined;
}

/** The list's order: newest first. */
const byCreated = timeIdKeyset(contacts.createdAt, contacts.id, 'desc');

type ContactRow = typeof contacts.$inferSelect;

/** Rows → views, with every contact's identities fetched in one more query (oldest first). */
async function withIdentities(db: Db | Tx, rows: ContactRow[]): Promise<ContactJson[]> {
  const ids = rows.map((r) => r.id);
  const idents = ids.length
    ? await db
        .select({ contactId: contactIdentities.contactId, channelType: contactIdentities.channelType, address: contactIdentities.address })
        .from(contactIdentities)
        .where(inArray(contactIdentities.contactId, ids))
        .orderBy(asc(contactIdentities.createdAt))
    : [];
  return rows.map((r) => contactView(r, idents.filter((i) => i.contactId === r.id)));
}

export async function getContact(db: Db | Tx, orgId: string, contactId: string): Promise<ContactJson> {
  const rows = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.orgId, orgId), eq(contacts.id, contactId)));
  const [view] = await withIdentities(db, rows);
  if (!view) throw new NotFoundError('Contact');
  return view;
}

function contactWhere(orgId: string, f: ContactFilters): SQL {
  const conds: (SQL | undefined)[] = [eq(contacts.orgId, orgId)];
  if (f.createdAfter) conds.push(gte(contacts.createdAt, f.createdAfter));
  if (f.createdBefore) conds.push(lt(contacts.createdAt, f.createdBefore));
  if (f.updatedAfter) conds.push(gte(contacts.updatedAt, f.updatedAfter));
  if (f.updatedBefore) conds.push(lt(contacts.updatedAt, f.updatedBefore));
  if (f.email) conds.push(sql`lower(${contacts.email}) = lower(${f.email})`);
  if (f.q) {
    // The search text is data, not a pattern: escape LIKE's wildcards.
    const like = `%${f.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    conds.push(or(sql`${contacts.name} ilike ${like}`, sql`${contacts.email} ilike ${like}`, sql`${contacts.phoneNumber} ilike ${like}`));
  }
  return and(...conds)!;
}

/** `GET /contacts`: newest first, keyset paginated on (created_at, id) so inserts never shift a page. */
export async function listContacts(db: Db, orgId: string, f: ContactFilters, limit: number, after?: TimeIdCursor) {
  const rows = await db
    .select({ contact: contacts, sortKey: byCreated.sortKey })
    .from(contacts)
    .where(and(contactWhere(orgId, f), byCreated.after(after)))
    .orderBy(...byCreated.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, (last): TimeIdCursor => [last.sortKey, last.contact.id]);
  return { items: await withIdentities(db, page.rows.map((r) => r.contact)), next: page.next };
}
