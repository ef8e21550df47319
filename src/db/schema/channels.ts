import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id, updatedAt } from './columns.ts';
import { channelKind } from './enums.ts';
import { organizations } from './organizations.ts';

export const channels = pgTable(
  'channels',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    type: channelKind('type').notNull(),
    provider: text('provider').notNull(),
    name: text('name').notNull(),
    /** Public, unguessable id used in widget URLs (never the row id). */
    publicId: text('public_id').notNull(),
    /** The non-secret part of the adapter config. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    /** The secret part, AES-256-GCM encrypted with the master key (src/crypto/secret-box.ts). */
    secrets: text('secrets'),
    enabled: boolean('enabled').notNull().default(true),
    /** Ask for a satisfaction rating when a session is resolved (where the adapter can: capabilities.csat). */
    csatEnabled: boolean('csat_enabled').notNull().default(false),
    /** Channels are soft-deleted: their sessions and messages keep pointing at them. */
    deletedAt: at('deleted_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('channels_public_id_uq').on(t.publicId), index('channels_org_type_idx').on(t.orgId, t.type)],
);
