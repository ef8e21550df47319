import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { type CustomData, createdAt, id, updatedAt } from './columns.ts';
import { channelKind } from './enums.ts';
import { organizations } from './organizations.ts';
import type { ChannelKind } from '../../domain/model/enums.ts';

export const contacts = pgTable(
  'contacts',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name'),
    email: text('email'),
    phoneNumber: text('phone_number'),
    avatarUrl: text('avatar_url'),
    language: text('language'),
    customData: jsonb('custom_data').$type<CustomData>().notNull().default(sql`'{}'::jsonb`),
    /** What an unverified visitor told us about themselves; kept apart from verified fields, as Open does. */
    nonVerifiedName: text('non_verified_name'),
    nonVerifiedEmail: text('non_verified_email'),
    nonVerifiedCustomData: jsonb('non_verified_custom_data').$type<CustomData>(),
    verified: boolean('verified').notNull().default(false),
    /** Channel types on which the contact opted out (SMS STOP and the like). */
    optedOut: jsonb('opted_out').$type<ChannelKind[]>().notNull().default(sql`'[]'::jsonb`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('contacts_org_email_uq').on(t.orgId, sql`lower(${t.email})`).where(sql`${t.email} is not null`),
    index('contacts_org_phone_idx').on(t.orgId, t.phoneNumber),
    index('contacts_org_created_idx').on(t.orgId, t.createdAt, t.id),
  ],
);

/** One person, many channel-native addresses: (channel type, address) → contact, unique per organization. */
export const contactIdentities = pgTable(
  'contact_identities',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').notNull().references(() => contacts.id, { onDelete: 'cascade' }),
    channelType: channelKind('channel_type').notNull(),
    address: text('address').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('contact_identities_addr_uq').on(t.orgId, t.channelType, t.address),
    index('contact_identities_contact_idx').on(t.contactId),
  ],
);
