import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id, updatedAt } from './columns.ts';
import { apiKeyRole } from './enums.ts';

export const organizations = pgTable('organizations', {
  id: id(),
  name: text('name').notNull(),
  /** Last ticket number handed out; sessions take the next one inside their insert transaction. */
  ticketSeq: integer('ticket_seq').notNull().default(0),
  /** AI responder and handoff settings (issue: workers); secrets inside are encrypted. */
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    role: apiKeyRole('role').notNull(),
    /** sha256 of the whole key: keys are 192-bit random, so a fast hash is enough and lookups stay O(1). */
    keyHash: text('key_hash').notNull(),
    /** The first characters of the key, shown in lists so people can tell keys apart. */
    keyPrefix: text('key_prefix').notNull(),
    /** For role `agent`: the agent this key acts as. */
    agentId: uuid('agent_id'),
    lastUsedAt: at('last_used_at'),
    revokedAt: at('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('api_keys_key_hash_uq').on(t.keyHash)],
);

/** Stored responses for POSTs carrying an Idempotency-Key. `response` null while the first request runs. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    response: jsonb('response'),
    createdAt: createdAt(),
  },
  // Expired records (a day old: src/domain/organization/idempotency-records.ts) are deleted oldest first.
  (t) => [uniqueIndex('idempotency_keys_pk').on(t.orgId, t.key), index('idempotency_keys_created_idx').on(t.createdAt)],
);
