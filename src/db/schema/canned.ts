import { pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from './columns.ts';
import { organizations } from './organizations.ts';

// Saved replies agents insert into the composer (by picking them, or typing `/shortcut` + Tab).
export const cannedResponses = pgTable(
  'canned_responses',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    /** A lowercase slug (`refund-policy`), unique per organization: what agents type after `/`. */
    shortcut: text('shortcut').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // Also the list's order and keyset: (org_id, shortcut).
  (t) => [uniqueIndex('canned_responses_org_shortcut_uq').on(t.orgId, t.shortcut)],
);
