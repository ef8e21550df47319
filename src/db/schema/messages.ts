import { bigserial, boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { at, createdAt, id } from './columns.ts';
import { deliveryStatus, historyEventType, messageDirection, messageSender, messageType, turnState } from './enums.ts';
import { channels } from './channels.ts';
import { organizations } from './organizations.ts';
import { sessions } from './sessions.ts';

export const messages = pgTable(
  'messages',
  {
    id: id(),
    /** Insertion order: history pages and cursors follow it, so equal timestamps never reorder. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    sessionId: uuid('session_id').notNull().references(() => sessions.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id').notNull().references(() => channels.id),
    direction: messageDirection('direction').notNull(),
    sender: messageSender('sender').notNull(),
    agentId: uuid('agent_id'),
    senderName: text('sender_name'),
    type: messageType('type').notNull().default('text'),
    /** For history entries that are not messages (handoff, human_agent_joined, status_changed, …). */
    eventType: historyEventType('event_type').notNull().default('message'),
    text: text('text'),
    html: text('html'),
    /** An agent's internal note: shown in history, never dispatched. */
    private: boolean('private').notNull().default(false),
    /** The provider's message id: the dedupe key for inbound, the receipt for outbound. */
    externalId: text('external_id'),
    deliveryStatus: deliveryStatus('delivery_status'),
    error: text('error'),
    context: jsonb('context').$type<Record<string, unknown>>(),
    raw: jsonb('raw'),
    turnState: turnState('turn_state').notNull().default('none'),
    /**
     * Outbox bookkeeping for the message's job (its turn when inbound, its dispatch when an outbound reply):
     * set (in batches) once the job is known to be in Redis; the relay enqueues rows where it is null.
     */
    jobEnqueuedAt: at('job_enqueued_at'),
    /** Set by the relay when it re-adds the job of stale pending work, so a sweep is not repeated every tick. */
    jobSweptAt: at('job_swept_at'),
    /** Provider calls begun for this reply (each marked in its own commit before the call). */
    attempts: integer('attempts').notNull().default(0),
    /**
     * Set in its own commit just before a reply is handed to the provider, cleared when the outcome is recorded:
     * a reply found still queued with this set was maybe sent by a process that died (workers/dispatch.worker.ts).
     */
    sendingAt: at('sending_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('messages_channel_external_uq').on(t.channelId, t.externalId),
    index('messages_session_seq_idx').on(t.sessionId, t.seq),
    index('messages_outbox_idx')
      .on(t.createdAt)
      .where(sql`${t.turnState} = 'pending' or (${t.deliveryStatus} = 'queued' and ${t.private} = false)`),
  ],
);

export const attachments = pgTable(
  'attachments',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    /** Null for a file uploaded on its own and not yet sent (a message gets its own copy of the row). */
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull().default(0),
    sha256: text('sha256'),
    /** Key in the blob store once fetched; `url` is where it came from (a provider or the API caller). */
    blobKey: text('blob_key'),
    url: text('url'),
    createdAt: createdAt(),
  },
  (t) => [
    index('attachments_message_idx').on(t.messageId),
    // The sweep of uploads never sent reads only these rows.
    index('attachments_unsent_idx').on(t.createdAt).where(sql`${t.messageId} is null`),
    // The orphan-blob sweep asks which of a batch of blobs any row names (src/domain/files/orphan-blobs.ts).
    index('attachments_blob_key_idx').on(t.blobKey),
  ],
);
