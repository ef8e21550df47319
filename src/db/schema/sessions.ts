import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { type CustomData, at, createdAt, id, updatedAt } from './columns.ts';
import { aiClosureType, handler, priority, sentiment, sessionStatus } from './enums.ts';
import { channels } from './channels.ts';
import { contacts } from './contacts.ts';
import { organizations } from './organizations.ts';

export interface SessionInsights {
  topics?: string[];
  resolution?: string;
  first_response_seconds?: number | null;
  resolution_seconds?: number | null;
  messages_by_sender?: Record<string, number>;
}

export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id').notNull().references(() => channels.id),
    contactId: uuid('contact_id').notNull().references(() => contacts.id, { onDelete: 'cascade' }),
    ticketNumber: integer('ticket_number').notNull(),
    status: sessionStatus('status').notNull().default('open'),
    aiClosureType: aiClosureType('ai_closure_type'),
    sentiment: sentiment('sentiment'),
    handledBy: handler('handled_by').notNull().default('ai'),
    handedOff: boolean('handed_off').notNull().default(false),
    assigneeId: uuid('assignee_id'),
    teamId: uuid('team_id'),
    priority: priority('priority').notNull().default('normal'),
    subject: text('subject'),
    language: text('language'),
    assistMode: boolean('assist_mode').notNull().default(false),
    verified: boolean('verified').notNull().default(false),
    customData: jsonb('custom_data').$type<CustomData>().notNull().default(sql`'{}'::jsonb`),
    /** Labels (Open's tags, Chatwoot's labels): lower-case, unique, sorted; set through the API, console, AI or rules. */
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    /** The channel-native conversation key (Slack thread ts, email thread root), when the channel has threads. */
    externalThreadId: text('external_thread_id'),
    handoff: jsonb('handoff').$type<{ summary: string; sentiment?: string }>(),
    summary: text('summary'),
    /**
     * Open's `generate_summary_and_sentiment_on_resolve` from the PATCH that closed it: false skips the summary
     * and sentiment of that close (insights are still computed); null is the default (summarize).
     */
    summarizeOnClose: boolean('summarize_on_close'),
    /** Open's `session_closed_payload`: what the closing client attached, carried in `conversation.closed`. */
    closedPayload: jsonb('closed_payload').$type<Record<string, unknown>>(),
    insights: jsonb('insights').$type<SessionInsights>(),
    messageCount: integer('message_count').notNull().default(0),
    lastMessageAt: at('last_message_at'),
    closedAt: at('closed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('sessions_org_ticket_uq').on(t.orgId, t.ticketNumber),
    index('sessions_org_activity_idx').on(t.orgId, t.lastMessageAt, t.id),
    index('sessions_contact_idx').on(t.contactId, t.channelId, t.status),
    index('sessions_thread_idx').on(t.channelId, t.externalThreadId),
    index('sessions_tags_idx').using('gin', t.tags),
  ],
);
