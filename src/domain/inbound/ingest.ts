import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { channels, messages, sessions } from '../../db/schema/index.ts';
import { NotFoundError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import type { MessageJobRef } from '../../queue/enqueue.ts';
import type { Queues } from '../../queue/queues.ts';
import { findOrCreateContact, resolveIdentity, updateContactDetails } from '../contacts/contacts.ts';
import type { MessageSender } from '../model/enums.ts';
import { type IngestBatcher, isBatchable } from './ingest-batch.ts';
import { type FromChannel, type IngestInput, type IngestResult, type IntoSession, type SystemLine, toLine } from './ingest-input.ts';
import { type EnqueuedMarker, enqueueCommitted } from '../relays/outbox.ts';
import { writeLines } from '../sessions/message-writer.ts';
import { changeStatus } from '../sessions/session-commands.ts';
import { openSurvey, recordScore, scoreFromReply } from '../csat/csat-answer.ts';
import { findCurrentSession, openSession } from '../sessions/session-store.ts';

export type { FromChannel, IngestInput, IngestResult, IntoSession, MessageFields, SenderFields, SystemLine } from './ingest-input.ts';

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
 *    per (channel, external id), written by the message writer (src/domain/sessions/message-writer.ts).
 *    Concurrent simple messages share a transaction (group commit, ingest-batch.ts).
 * 2. After commit, a customer message gets its turn job and an agent's reply its dispatch job (ids only).
 *    If Redis cannot take it, the relay will (src/domain/relays/outbox.ts).
 * When this resolves, the message survives the death of every process.
 */
export async function ingest(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  const sender = input.kind === 'system' ? 'system' : input.sender;
  // The batcher enqueues its batch's jobs itself, in one call after its commit.
  const batched = isBatchable(input) ? await deps.batcher.submit(input) : undefined;
  if (batched) return countIngested(deps, sender, batched);
  const { result, job } = await commit(deps.db, input, new Date(Date.now() - deps.config.sessions.reopenWindowMs));
  if (job) await enqueueCommitted(deps, [job]);
  return countIngested(deps, sender, result);
}

/** Counts customer messages, stored or recognised as repeats, by channel kind (GET /metrics). */
export function countIngested(deps: Pick<IngestDeps, 'metrics'>, sender: MessageSender, result: IngestResult): IngestResult {
  if (sender !== 'contact') return result;
  const labels = { channel: result.channel.type };
  (result.duplicate ? deps.metrics.messagesDuplicate : deps.metrics.messagesAccepted).inc(labels);
  return result;
}

interface Committed {
  result: IngestResult;
  job?: MessageJobRef | undefined;
}

/** Where the message goes: its session, that session's contact and channel. */
interface Placed {
  sessionId: string;
  contactId: string;
  channel: IngestResult['channel'];
  sessionCreated: boolean;
  /** The message answers the closed session's rating question: stored, no turn, no reopening. */
  rated?: boolean;
}

class DuplicateRace extends Error {
  constructor(readonly channelId: string) {
    super('a concurrent copy of the message committed first');
  }
}

/** One transaction; a lost race on the dedupe key is the duplicate it is, not an error. */
async function commit(db: Db, input: IngestInput, reopenSince: Date): Promise<Committed> {
  try {
    return await db.transaction((tx) => commitMessage(tx, input, reopenSince));
  } catch (err) {
    if (!(err instanceof DuplicateRace) || input.externalId === undefined) throw err;
    const { channelId } = err;
    const existing = await db.transaction((tx) => findByExternalId(tx, channelId, input.externalId!));
    if (!existing) throw err;
    return { result: { ...existing, duplicate: true, sessionCreated: false } };
  }
}

async function commitMessage(tx: Tx, input: IngestInput, reopenSince: Date): Promise<Committed> {
  if (input.kind === 'from-channel') {
    const stored = await storedCopy(tx, input.channel.id, input.externalId);
    return stored ?? write(tx, input, await findOrOpenSession(tx, input, reopenSince));
  }
  const known = await lockKnownSession(tx, input);
  const stored = await storedCopy(tx, known.channel.id, input.externalId);
  if (stored) return stored;
  if (input.kind === 'into-session' && input.contact) await updateContactDetails(tx, input.orgId, known.contactId, input.contact);
  return write(tx, input, known);
}

async function write(tx: Tx, input: IngestInput, at: Placed): Promise<Committed> {
  const line = toLine(input, at);
  const [written] = await writeLines(tx, [at.rated ? { ...line, noTurn: true } : line]);
  // A concurrent copy of this message committed first: abandon ours (rollback) and report theirs.
  if (!written) throw new DuplicateRace(at.channel.id);
  const { sessionId, contactId, channel, sessionCreated } = at;
  return { result: { messageId: written.messageId, sessionId, contactId, channel, duplicate: false, sessionCreated }, job: written.job };
}

/** A message whose (channel, external id) is stored already: reported as the duplicate it is. */
async function storedCopy(tx: Tx, channelId: string, externalId: string | undefined): Promise<Committed | undefined> {
  if (externalId === undefined) return undefined;
  const existing = await findByExternalId(tx, channelId, externalId);
  return existing && { result: { ...existing, duplicate: true, sessionCreated: false } };
}

/** The sender's contact (resolved from their address, or known), and their current session, reopened or opened. */
async function findOrOpenSession(tx: Tx, input: FromChannel, reopenSince: Date): Promise<Placed> {
  const { orgId, channel } = input;
  const contactId =
    input.identity !== undefined
      ? await resolveIdentity(tx, orgId, channel.type, input.identity.address, input.contact ?? {})
      : input.contactId;
  const current = await findCurrentSession(tx, orgId, channel.id, contactId, input.externalThreadId, reopenSince);
  const rated = current && input.sender === 'contact' ? await answerOrReopen(tx, current, input.text) : false;
  const sessionId =
    current?.id ??
    (await openSession(tx, {
      orgId,
      channelId: channel.id,
      contactId,
      externalThreadId: input.externalThreadId,
      subject: input.subject,
      customData: input.sessionCustomData,
    }));
  return { sessionId, contactId, channel, sessionCreated: current === undefined, rated };
}

/** The known session, locked; a customer writing to a closed session reopens it (history row and event). */
async function lockKnownSession(tx: Tx, input: IntoSession | SystemLine): Promise<Placed> {
  const [row] = await tx
    .select({ session: sessions, channel: { id: channels.id, type: channels.type } })
    .from(sessions)
    .innerJoin(channels, eq(channels.id, sessions.channelId))
    .where(and(eq(sessions.orgId, input.orgId), eq(sessions.id, input.sessionId)))
    .for('update', { of: sessions });
  if (!row) throw new NotFoundError('Chat session');
  const rated = input.kind === 'into-session' && input.sender === 'contact' ? await answerOrReopen(tx, row.session, input.text) : false;
  return { sessionId: input.sessionId, contactId: row.session.contactId, channel: row.channel, sessionCreated: false, rated };
}

/**
 * A customer writing to a closed session reopens it — unless the session asked for a rating by reply and this is
 * one ("4", "5 - quick and kind"): then it is the answer (src/domain/csat), and the session stays resolved.
 */
async function answerOrReopen(tx: Tx, session: typeof sessions.$inferSelect, text: string | undefined): Promise<boolean> {
  if (session.status === 'open') return false;
  const answer = scoreFromReply(text ?? '');
  const survey = answer ? await openSurvey(tx, session.id) : undefined;
  if (answer && (survey?.style === 'digits' || survey?.style === 'buttons')) {
    await recordScore(tx, survey, answer, 'reply');
    return true;
  }
  await reopenIfClosed(tx, session);
  return false;
}

/** A customer writing to a closed session reopens it: a status change in its history and an event. */
async function reopenIfClosed(tx: Tx, session: typeof sessions.$inferSelect): Promise<void> {
  if (session.status === 'open') return;
  const set = await changeStatus(tx, session, 'open', { agentId: null });
  await tx.update(sessions).set(set).where(eq(sessions.id, session.id));
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
