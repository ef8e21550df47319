import { index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, id, updatedAt } from './columns.ts';
import { channels } from './channels.ts';
import { organizations } from './organizations.ts';
import { sessions } from './sessions.ts';

/**
 * One satisfaction survey per session (src/domain/csat): asked once when the session is resolved, answered
 * (1–5, an optional comment) through the channel — a reply digit, a signed link, the web chat's rating row — and
 * re-answerable within the window; the latest answer counts.
 */
export const csatSurveys = pgTable(
  'csat_surveys',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    sessionId: uuid('session_id').notNull().references(() => sessions.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id').notNull().references(() => channels.id),
    /** How it was asked (the adapter's capabilities.csat): digits, links or rating-row. */
    style: text('style').notNull(),
    /** Unguessable: the email links and the web chat's rating row carry it. */
    token: text('token').notNull(),
    score: integer('score'),
    comment: text('comment'),
    answeredAt: at('answered_at'),
    requestedAt: at('requested_at').notNull().defaultNow(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('csat_surveys_session_uq').on(t.sessionId),
    uniqueIndex('csat_surveys_token_uq').on(t.token),
    index('csat_surveys_org_answered_idx').on(t.orgId, t.answeredAt),
  ],
);
