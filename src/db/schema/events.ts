import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id, updatedAt } from './columns.ts';
import { organizations } from './organizations.ts';

/** Event names delivered to webhook endpoints (listed in /openapi.json); other event rows stay internal. */
export const WEBHOOK_EVENT_TYPES = [
  'conversation.started',
  'conversation.contact_response',
  'conversation.ai_response',
  'conversation.agent_response',
  'conversation.handoff_to_human',
  'conversation.closed',
  'conversation.assigned',
  'conversation.tags_changed',
  'message.status',
  'action.called',
  'action.completed',
  'csat.requested',
  'csat.score_submitted',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
/** What an endpoint subscribes to: event names, or `*` for every deliverable event. */
export type WebhookEventFilter = WebhookEventType | '*';

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
export const webhookDeliveryStatus = pgEnum('webhook_delivery_status', WEBHOOK_DELIVERY_STATUSES);

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    description: text('description'),
    events: jsonb('events').$type<WebhookEventFilter[]>().notNull().default(sql`'[]'::jsonb`),
    /** The whsec_ signing secret, encrypted at rest. */
    secret: text('secret').notNull(),
    /** After a rotation the old secret also signs (a second signature) until it expires, so receivers can switch. */
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: at('previous_secret_expires_at'),
    enabled: boolean('enabled').notNull().default(true),
    /** Why Switchboard disabled it (the receiver answered 410 Gone); cleared when re-enabled. */
    disabledReason: text('disabled_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('webhook_endpoints_org_idx').on(t.orgId, t.createdAt, t.id)],
);

/** The event log: every state change, in order; outbound webhooks are fed from it. */
export const events = pgTable(
  'events',
  {
    id: id(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    sessionId: uuid('session_id'),
    type: text('type').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    /**
     * Outbox mark of the webhook fan-out (src/domain/relays/event-fanout.ts): set once the event's notify jobs are in
     * Redis. A row, not a seq cursor: seq is taken at insert and commits can land out of order, so a cursor
     * could step over an event that commits late.
     */
    fannedOutAt: at('fanned_out_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('events_org_seq_idx').on(t.orgId, t.seq),
    index('events_session_idx').on(t.sessionId),
    index('events_fanout_idx').on(t.seq).where(sql`${t.fannedOutAt} is null`),
  ],
);

/** One row per attempt to deliver one event to one endpoint. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    endpointId: uuid('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventId: uuid('event_id').notNull().references(() => events.id, { onDelete: 'cascade' }),
    /** 1 for the first attempt of this event at this endpoint; manual retries continue the count. */
    attempt: integer('attempt').notNull(),
    /** `pending` while the request is in flight (a row left pending means its worker died). */
    status: webhookDeliveryStatus('status').notNull().default('pending'),
    responseStatus: integer('response_status'),
    /** The first 2 KB of the response body. */
    responseBody: text('response_body'),
    error: text('error'),
    durationMs: integer('duration_ms'),
    /** When the queue will try again after this failed attempt; null when it will not. */
    nextAttemptAt: at('next_attempt_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt, t.id),
    uniqueIndex('webhook_deliveries_attempt_uq').on(t.endpointId, t.eventId, t.attempt),
    // At most one success per event and endpoint: the database guards "delivered once", not only the job id.
    uniqueIndex('webhook_deliveries_success_uq').on(t.endpointId, t.eventId).where(sql`${t.status} = 'succeeded'`),
    index('webhook_deliveries_event_idx').on(t.eventId),
  ],
);
