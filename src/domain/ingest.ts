import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { attachments, events, messages, sessions } from '../db/schema/index.ts';
import { NotFoundError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { enqueueMessageJobs, type MessageJobRef } from '../queue/enqueue.ts';
import type { Queues } from '../queue/queues.ts';
import { type ContactDetails, findOrCreateContact, resolveIdentity, updateContactDetails } from './contacts.ts';
import { type CustomData, mergeCustomData } from './custom-data.ts';
import type { ChannelKind, MessageSender } from './enums.ts';
import type { AttachmentRef } from './messages.ts';
import { findOpenSession, openSession } from './session-store.ts';
import type { EnqueuedMarker } from './outbox.ts';

export interface IngestInput {
  orgId: string;
  channel: { id: string; type: ChannelKind };
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
  sessionCustomData?: CustomData | undefined;
  raw?: unknown;
  sentAt?: Date | undefined;
}

export interface IngestResult {
  messageId: string;
  sessionId: string;
  contactId: string;
  duplicate: boolean;
  sessionCreated: boolean;
}

export interface IngestDeps {
  db: Db;
  queues: Queues;
  logger: Logger;
  marker: EnqueuedMarker;
}

/**
 * The one sink for every accepted message, from the API and from every adapter.
 * 1. One transaction: contact identity → session (found or opened) → message, unique per (channel, external id).
 * 2. After commit, a customer message gets its turn job and an agent's reply its dispatch job (ids only).
 *    If Redis cannot take it, the relay will (src/domain/outbox.ts).
 * When this resolves, the message survives the death of every process.
 */
export async function ingest(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  const result = await commit(deps.db, input);
  const queue: MessageJobRef['queue'] | undefined = needsTurn(input) ? 'turn' : needsDispatch(input) ? 'dispatch' : undefined;
  if (!result.duplicate && queue) {
    const ref = { queue, orgId: input.orgId, sessionId: result.sessionId, messageId: result.messageId };
    try {
      await enqueueMessageJobs(deps.queues, [{ ...ref, channel: input.channel.type }]);
      deps.marker.mark(result.messageId);
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message, ...ref }, 'job not enqueued; the relay will add it');
    }
  }
  return result;
}

const needsTurn = (input: IngestInput) => input.sender === 'contact';
/** Replies by agents and the AI go out through their channel; internal notes and system rows never do. */
const needsDispatch = (input: IngestInput) => (input.sender === 'agent' || input.sender === 'ai') && !input.private;

async function commitMessage(tx: Tx, input: IngestInput): Promise<IngestResult> {
  const { orgId, channel } = input;
  if (input.externalId !== undefined) {
    const existing = await findByExternalId(tx, channel.id, input.externalId);
    if (existing) return { ...existing, duplicate: true, sessionCreated: false };
  }

  let sessionCreated = false;
  let sessionId = input.sessionId;
  let contactId: string;
  if (sessionId !== undefined) {
    const [s] = await tx
      .select({ contactId: sessions.contactId })
      .from(sessions)
      .where(and(eq(sessions.orgId, orgId), eq(sessions.id, sessionId)))
      .for('update');
    if (!s) throw new NotFoundError('Chat session');
    contactId = s.contactId;
    if (input.contact) await updateContactDetails(tx, orgId, contactId, input.contact);
  } else {
    contactId = input.identity
      ? await resolveIdentity(tx, orgId, channel.type, input.identity.address, input.contact ?? {})
      : (input.contactId ?? (await findOrCreateContact(tx, orgId, input.contact ?? {})));
    sessionId = await findOpenSession(tx, orgId, channel.id, contactId, input.externalThreadId);
    if (sessionId === undefined) {
      sessionId = await openSession(tx, { orgId, channelId: channel.id, contactId, ...pickSession(input) });
      sessionCreated = true;
    }
  }

  const inbound = input.sender === 'contact';
  const [msg] = await tx
    .insert(messages)
    .values({
      orgId,
      sessionId,
      channelId: channel.id,
      direction: inbound ? 'in' : 'out',
      sender: input.sender,
      agentId: input.agentId ?? null,
      senderName: input.senderName ?? null,
      eventType: input.private ? 'human_agent_comment' : 'message',
      type: input.attachments?.length && !input.text ? 'file' : 'text',
      text: input.text,
      html: input.html ?? null,
      private: input.private ?? false,
      externalId: input.externalId ?? null,
      deliveryStatus: needsDispatch(input) ? 'queued' : null,
      raw: input.raw ?? null,
      turnState: needsTurn(input) ? 'pending' : 'none',
      createdAt: input.sentAt ?? new Date(),
    })
    .onConflictDoNothing()
    .returning({ id: messages.id });
  if (!msg) {
    // A concurrent copy of this message committed first: abandon ours (rollback) and report theirs.
    throw new DuplicateRace();
  }
  if (input.attachments?.length) {
    await tx.insert(attachments).values(
      input.attachments.map((a) => ({
        orgId,
        messageId: msg.id,
        filename: a.filename,
        contentType: a.contentType,
        size: a.size ?? (a.base64 ? Math.floor((a.base64.length * 3) / 4) : 0),
        url: a.url ?? null,
      })),
    );
  }
  await touchSession(tx, orgId, sessionId, input);
  await tx.insert(events).values({
    orgId,
    sessionId,
    type: eventName(input),
    data: { session_id: sessionId, message_id: msg.id },
  });
  return { messageId: msg.id, sessionId, contactId, duplicate: false, sessionCreated };
}

function pickSession(input: IngestInput) {
  return {
    externalThreadId: input.externalThreadId,
    subject: input.subject,
    customData: input.sessionCustomData,
  };
}

function eventName(input: IngestInput): string {
  if (input.private) return 'conversation.agent_note';
  return { contact: 'conversation.contact_response', ai: 'conversation.ai_response', agent: 'conversation.agent_response', system: 'conversation.system_message' }[input.sender];
}

async function touchSession(tx: Tx, orgId: string, sessionId: string, input: IngestInput): Promise<void> {
  const set: Record<string, unknown> = {
    lastMessageAt: new Date(),
    updatedAt: new Date(),
    messageCount: sql`${sessions.messageCount} + 1`,
  };
  if (input.sessionCustomData) {
    const [row] = await tx.select({ customData: sessions.customData }).from(sessions).where(eq(sessions.id, sessionId));
    set.customData = mergeCustomData(row?.customData, input.sessionCustomData);
  }
  await tx.update(sessions).set(set).where(and(eq(sessions.orgId, orgId), eq(sessions.id, sessionId)));
}

async function findByExternalId(tx: Tx, channelId: string, externalId: string) {
  const [row] = await tx
    .select({ messageId: messages.id, sessionId: messages.sessionId, contactId: sessions.contactId })
    .from(messages)
    .innerJoin(sessions, eq(sessions.id, messages.sessionId))
    .where(and(eq(messages.channelId, channelId), eq(messages.externalId, externalId)))
    .limit(1);
  return row;
}

class DuplicateRace extends Error {}

/** One transaction; a lost race on the dedupe key is the duplicate it is, not an error. */
async function commit(db: Db, input: IngestInput): Promise<IngestResult> {
  try {
    return await db.transaction((tx) => commitMessage(tx, input));
  } catch (err) {
    if (!(err instanceof DuplicateRace) || input.externalId === undefined) throw err;
    const existing = await db.transaction((tx) => findByExternalId(tx, input.channel.id, input.externalId!));
    if (!existing) throw err;
    return { ...existing, duplicate: true, sessionCreated: false };
  }
}
