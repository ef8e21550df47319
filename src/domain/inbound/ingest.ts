import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { attachments, channels, events, messages, sessions } from '../../db/schema/index.ts';
import { NotFoundError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import type { Queues } from '../../queue/queues.ts';
import { type ContactDetails, findOrCreateContact, resolveIdentity, updateContactDetails } from '../contacts/contacts.ts';
import type { CustomData } from '../contacts/custom-data.ts';
import type { ChannelKind, MessageSender } from '../model/enums.ts';
import { type IngestBatcher, isBatchable } from './ingest-batch.ts';
import { eventNameFor, jobFor, messageRow } from './ingest-rows.ts';
import type { AttachmentRef } from '../model/messages.ts';
import { type EnqueuedMarker, enqueueCommitted } from '../relays/outbox.ts';
import { changeStatus } from '../sessions/session-commands.ts';
import { findCurrentSession, openSession } from '../sessions/session-store.ts';

export interface IngestInput {
  orgId: string;
  /** Required unless `sessionId` is given (then it is the session's channel). */
  channel?: { id: string; type: ChannelKind } | undefined;
  /** A known session (Sessions API); otherwise found or opened from the sender's identity. */
  sessionId?: string | undefined;
  /** The channel-native address of the sender (phone number, email, Slack user…). */
  identity?: { address: string } | undefined;
  /** A known contact (when there is no identity to resolve). */
  contactId?: string | undefined;
  contact?: ContactDetails | undefined;
  sender: MessageSender;
  agentId?: string | undefined;
  senderName?: string | undefined;
  /** The provider's message id: a second message with the same one on the channel is a duplicate. */
  externalId?: string | undefined;
  externalThreadId?: string | undefined;
  subject?: string | undefined;
  text: string;
  html?: string | undefined;
  attachments?: AttachmentRef[] | undefined;
  /** An agent's internal note. */
  private?: boolean | undefined;
  /** A customer message that needs no AI turn (an SMS STOP / START / HELP keyword). */
  noTurn?: boolean | undefined;
  /** Kept on the message for agents and later replies (a mail's References, parse flags). */
  context?: Record<string, unknown> | undefined;
  /** A reply already delivered by the act of storing it (a call's greeting, spoken in the webhook's answer). */
  delivered?: boolean | undefined;
  sessionCustomData?: CustomData | undefined;
  raw?: unknown;
  sentAt?: Date | undefined;
}

export interface IngestResult {
  messageId: string;
  sessionId: string;
  contactId: string;
  channel: { id: string; type: ChannelKind };
  duplicate: boolean;
  sessionCreated: boolean;
}

export interface IngestDeps {
  db: Db;
  config: { sessions: { reopenWindowMs: number } };
  queues: Queues;
  logger: Logger;
  marker: EnqueuedMarker;
  batcher: IngestBatcher;
  metrics: Pick<Metrics, 'messagesAccepted' | 'messagesDuplicate'>;
}

/**
 * The one sink for every accepted message, from the API and from every adapter.
 * 1. One transaction: contact identity → session (found, opened, or reopened by its contact) → message, unique
 *    per (channel, external id). Concurrent simple messages share a transaction (group commit, ingest-batch.ts).
 * 2. After commit, a customer message gets its turn job and an agent's reply its dispatch job (ids only).
 *    If Redis cannot take it, the relay will (src/domain/relays/outbox.ts).
 * When this resolves, the message survives the death of every process.
 */
export async function ingest(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  // The batcher enqueues its batch's jobs itself, in one call after its commit.
  const batched = isBatchable(input) ? await deps.batcher.submit(input) : undefined;
  if (batched) return countIngested(deps, input.sender, batched);
  const result = await commit(deps.db, input, new Date(Date.now() - deps.config.sessions.reopenWindowMs));
  const job = result.duplicate ? undefined : jobFor(input, result);
  if (job) await enqueueCommitted(deps, [job]);
  return countIngested(deps, input.sender, result);
}

/** Counts customer messages, stored or recognised as repeats, by channel kind (GET /metrics). */
export function countIngested(deps: Pick<IngestDeps, 'metrics'>, sender: MessageSender, result: IngestResult): IngestResult {
  if (sender !== 'contact') return result;
  const labels = { channel: result.channel.type };
  (result.duplicate ? deps.metrics.messagesDuplicate : deps.metrics.messagesAccepted).inc(labels);
  return result;
}

class DuplicateRace extends Error {}

/** One transaction; a lost race on the dedupe key is the duplicate it is, not an error. */
async function commit(db: Db, input: IngestInput, reopenSince: Date): Promise<IngestResult> {
  try {
    return await db.transaction((tx) => commitMessage(tx, input, reopenSince));
  } catch (err) {
    if (!(err instanceof DuplicateRace) || input.externalId === undefined) throw err;
    const existing = await db.transaction((tx) => findByExternalId(tx, input.channel!.id, input.externalId!));
    if (!existing) throw err;
    return { ...existing, duplicate: true, sessionCreated: false };
  }
}

async function commitMessage(tx: Tx, input: IngestInput, reopenSince: Date): Promise<IngestResult> {
  const { orgId } = input;
  const known = input.sessionId === undefined ? undefined : await lockKnownSession(tx, input, input.sessionId);
  const channel = known?.channel ?? input.channel;
  if (!channel) throw new Error('ingest needs a channel or a session');
  if (input.externalId !== undefined) {
    const existing = await findByExternalId(tx, channel.id, input.externalId);
    if (existing) return { ...existing, duplicate: true, sessionCreated: false };
  }

  let sessionCreated = false;
  let sessionId: string;
  let contactId: string;
  if (known) {
    ({ sessionId, contactId } = known);
    if (input.contact) await updateContactDetails(tx, orgId, contactId, input.contact);
  } else {
    contactId = input.identity
      ? await resolveIdentity(tx, orgId, channel.type, input.identity.address, input.contact ?? {})
      : (input.contactId ?? (await findOrCreateContact(tx, orgId, input.contact ?? {})));
    const current = await findCurrentSession(tx, orgId, channel.id, contactId, input.externalThreadId, reopenSince);
    if (current && input.sender === 'contact') await reopenIfClosed(tx, current);
    sessionCreated = current === undefined;
    sessionId = current?.id ?? (await openSession(tx, { orgId, channelId: channel.id, contactId, ...sessionFields(input) }));
  }

  const [msg] = await tx
    .insert(messages)
    .values(messageRow(input, { sessionId, channelId: channel.id }))
    .onConflictDoNothing()
    .returning({ id: messages.id });
  // A concurrent copy of this message committed first: abandon ours (rollback) and report theirs.
  if (!msg) throw new DuplicateRace();
  if (input.attachments?.length) await tx.insert(attachments).values(attachmentRows(input, msg.id));
  await tx
    .update(sessions)
    .set({
      lastMessageAt: new Date(),
      updatedAt: new Date(),
      messageCount: sql`${sessions.messageCount} + 1`,
      ...(input.sessionCustomData ? { customData: sql`${sessions.customData} || ${JSON.stringify(input.sessionCustomData)}::jsonb` } : {}),
    })
    .where(eq(sessions.id, sessionId));
  await tx.insert(events).values({
    orgId,
    sessionId,
    type: eventNameFor(input),
    data: { session_id: sessionId, message_id: msg.id },
  });
  return { messageId: msg.id, sessionId, contactId, channel, duplicate: false, sessionCreated };
}

/** The known session, locked; a customer writing to a closed session reopens it (history row and event). */
async function lockKnownSession(tx: Tx, input: IngestInput, sessionId: string) {
  const [row] = await tx
    .select({ session: sessions, channel: { id: channels.id, type: channels.type } })
    .from(sessions)
    .innerJoin(channels, eq(channels.id, sessions.channelId))
    .where(and(eq(sessions.orgId, input.orgId), eq(sessions.id, sessionId)))
    .for('update', { of: sessions });
  if (!row) throw new NotFoundError('Chat session');
  if (input.sender === 'contact') await reopenIfClosed(tx, row.session);
  return { sessionId, contactId: row.session.contactId, channel: row.channel };
}

/** A customer writing to a closed session reopens it: a status change in its history and an event. */
async function reopenIfClosed(tx: Tx, session: typeof sessions.$inferSelect): Promise<void> {
  if (session.status === 'open') return;
  const set = await changeStatus(tx, session, 'open', { agentId: null });
  await tx.update(sessions).set(set).where(eq(sessions.id, session.id));
}

function sessionFields(input: IngestInput) {
  return { externalThreadId: input.externalThreadId, subject: input.subject, customData: input.sessionCustomData };
}

function attachmentRows(input: IngestInput, messageId: string) {
  return (input.attachments ?? []).map((a) => ({
    orgId: input.orgId,
    messageId,
    filename: a.filename,
    contentType: a.contentType,
    size: a.size ?? 0,
    sha256: a.sha256 ?? null,
    blobKey: a.blobKey ?? null,
    url: a.url ?? null,
  }));
}

async function findByExternalId(tx: Tx, channelId: string, externalId: string) {
  const [row] = await tx
    .select({
      messageId: messages.id,
      sessionId: messages.sessionId,
      contactId: sessions.contactId,
      channel: { id: channels.id, type: channels.type },
    })
    .from(messages)
    .innerJoin(sessions, eq(sessions.id, messages.sessionId))
    .innerJoin(channels, eq(channels.id, messages.channelId))
    .where(and(eq(messages.channelId, channelId), eq(messages.externalId, externalId)))
    .limit(1);
  return row;
}
