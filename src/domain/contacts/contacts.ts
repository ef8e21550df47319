import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { contactIdentities, contacts } from '../../db/schema/index.ts';
import { type CustomData, mergeCustomData } from './custom-data.ts';
import type { ChannelKind } from '../model/enums.ts';

export interface ContactDetails {
  name?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  avatarUrl?: string | undefined;
  customData?: CustomData | undefined;
}

/** The (channel type, address) identity → contact; creates both when new. Returns the contact id. */
export async function resolveIdentity(
  tx: Tx,
  orgId: string,
  channelType: ChannelKind,
  address: string,
  details: ContactDetails,
): Promise<string> {
  const found = await findIdentity(tx, orgId, channelType, address);
  if (found) return found;
  const contactId = await findOrCreateContact(tx, orgId, details);
  const inserted = await tx
    .insert(contactIdentities)
    .values({ orgId, contactId, channelType, address })
    .onConflictDoNothing()
    .returning({ contactId: contactIdentities.contactId });
  if (inserted[0]) return inserted[0].contactId;
  // Another request created the same identity in the meantime: use theirs.
  return (await findIdentity(tx, orgId, channelType, address))!;
}

async function findIdentity(tx: Tx, orgId: string, channelType: ChannelKind, address: string) {
  const [row] = await tx
    .select({ contactId: contactIdentities.contactId })
    .from(contactIdentities)
    .where(
      and(
        eq(contactIdentities.orgId, orgId),
        eq(contactIdentities.channelType, channelType),
        eq(contactIdentities.address, address),
      ),
    )
    .limit(1);
  return row?.contactId;
}

/** Find a contact by email (case-insensitive) or else phone; create one when neither matches. */
export async function findOrCreateContact(tx: Tx, orgId: string, d: ContactDetails): Promise<string> {
  if (d.email) {
    const [byEmail] = await tx
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.orgId, orgId), sql`lower(${contacts.email}) = lower(${d.email})`))
      .limit(1);
    if (byEmail) return byEmail.id;
  } else if (d.phone) {
    const [byPhone] = await tx
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.orgId, orgId), eq(contacts.phoneNumber, d.phone)))
      .limit(1);
    if (byPhone) return byPhone.id;
  }
  const created = await insertContact(tx, orgId, d);
  // Undefined: the email became taken concurrently, and that contact is the one.
  return created ?? findOrCreateContact(tx, orgId, d);
}

/** A new contact; undefined when its email is already another contact's (the one unique key besides the id). */
export async function insertContact(db: Db | Tx, orgId: string, d: ContactDetails): Promise<string | undefined> {
  const [created] = await db
    .insert(contacts)
    .values({
      orgId,
      name: d.name ?? null,
      email: d.email ?? null,
      phoneNumber: d.phone ?? null,
      avatarUrl: d.avatarUrl ?? null,
      customData: d.customData ?? {},
    })
    .onConflictDoNothing()
    .returning({ id: contacts.id });
  return created?.id;
}

/** Apply details given with a message or session (name, email, phone, custom_data merged key by key). */
export async function updateContactDetails(tx: Tx, orgId: string, contactId: string, d: ContactDetails): Promise<void> {
  const set: Partial<typeof contacts.$inferInsert> = {};
  if (d.name !== undefined) set.name = d.name;
  if (d.email !== undefined) set.email = d.email;
  if (d.phone !== undefined) set.phoneNumber = d.phone;
  if (d.avatarUrl !== undefined) set.avatarUrl = d.avatarUrl;
  if (d.customData !== undefined) {
    const [row] = await tx
      .select({ customData: contacts.customData })
      .from(contacts)
      .where(and(eq(contacts.orgId, orgId), eq(contacts.id, contactId)));
    set.customData = mergeCustomData(row?.customData, d.customData);
  }
  if (Object.keys(set).length === 0) return;
  await tx
    .update(contacts)
    .set({ ...set, updatedAt: new Date() })
    .where(and(eq(contacts.orgId, orgId), eq(contacts.id, contactId)));
}

/**
 * Details given with `verified: false` (Open's createChatSession): the caller vouches for none of them, so the
 * name, email and custom data land in the non_verified_* fields, and the email finds no one — an unverified claim
 * must never attach a conversation to the contact who really owns that address. Without a contact id a new
 * contact holds them; phone and avatar (which have no unverified twin) stay where they always go.
 */
export async function withUnverifiedDetails(tx: Tx, orgId: string, contactId: string | undefined, d: ContactDetails): Promise<string> {
  const id = contactId ?? (await insertContact(tx, orgId, { phone: d.phone, avatarUrl: d.avatarUrl }))!;
  const [row] = await tx
    .select({ custom: contacts.nonVerifiedCustomData })
    .from(contacts)
    .where(and(eq(contacts.orgId, orgId), eq(contacts.id, id)));
  const set: Partial<typeof contacts.$inferInsert> = {};
  if (d.name !== undefined) set.nonVerifiedName = d.name;
  if (d.email !== undefined) set.nonVerifiedEmail = d.email;
  if (d.customData !== undefined) set.nonVerifiedCustomData = mergeCustomData(row?.custom ?? undefined, d.customData);
  if (contactId !== undefined && d.avatarUrl !== undefined) set.avatarUrl = d.avatarUrl;
  if (Object.keys(set).length > 0) {
    await tx.update(contacts).set({ ...set, updatedAt: new Date() }).where(and(eq(contacts.orgId, orgId), eq(contacts.id, id)));
  }
  return id;
}
