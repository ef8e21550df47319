import { eq, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { channels, sessions } from '../../db/schema/index.ts';
import { NotFoundError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { MessageJobRef } from '../../queue/enqueue.ts';
import type { Queues } from '../../queue/queues.ts';
import { type ChannelOutcome, Unsettled, writeChannelBatch } from './ingest-batch-channel.ts';
import { type FromChannel, type IngestInput, type IngestResult, type IntoSession, type SystemLine, toLine } from './ingest-input.ts';
import { type EnqueuedMarker, enqueueCommitted } from '../relays/outbox.ts';
import { writeLines } from '../sessions/message-writer.ts';

// Group commit. Per-request transactions cap durable ingest at the database's statement rate (PGlite runs one
// statement at a time). Messages that arrive while a batch is being written wait and go together: one
// transaction, a handful of multi-row statements for the whole batch, whatever its size. Two kinds share it:
// messages into known, open sessions (the Sessions API), and messages arriving on a channel, new senders and
// returning ones, with their provider ids (ingest-batch-channel.ts).

type IntoKnown = IntoSession | SystemLine;
type Batchable = IntoKnown | FromChannel;

/** The shapes the batch writes: with nothing else to change than what the batch's statements do. */
export function isBatchable(input: IngestInput): input is Batchable {
  if (input.attachments?.length) return false;
  if (input.kind === 'from-channel') return true;
  return input.externalId === undefined && (input.kind === 'system' || input.contact === undefined);
}

interface Pending {
  input: Batchable;
  at: number;
  resolve(r: IngestResult | undefined): void;
  reject(err: unknown): void;
}

export interface BatcherDeps {
  db: Db;
  config: { sessions: { reopenWindowMs: number } };
  queues: Queues;
  marker: EnqueuedMarker;
  logger: Logger;
}

/**
 * Resolves with the committed (and enqueued) result, or undefined when the message must take the single path
 * (a closed session to reopen, or a failed batch). `inFlight` batches commit at once: 1 for PGlite, which has
 * one connection; more for a PostgreSQL pool.
 */
export class IngestBatcher {
  #queue: Pending[] = [];
  #running = 0;
  /** When each batch now committing was taken from the queue. */
  readonly #committing = new Set<{ at: number }>();

  constructor(
    private readonly deps: BatcherDeps,
    private readonly inFlight = 1,
    private readonly maxBatch = 200,
  ) {}

  submit(input: Batchable): Promise<IngestResult | undefined> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, at: Date.now(), resolve, reject });
      if (this.#running < this.inFlight) void this.#drain();
    });
  }

  /**
   * How long the oldest message not yet committed has waited (ms): what a new one can expect to wait at least.
   * The measure of overload (src/http/load-shedding.ts).
   */
  oldestWaitMs(now = Date.now()): number {
    let oldest = this.#queue[0]?.at ?? now;
    for (const { at } of this.#committing) oldest = Math.min(oldest, at);
    return now - oldest;
  }

  async #drain(): Promise<void> {
    this.#running += 1;
    while (this.#queue.length > 0) {
      // Yield to I/O first. PGlite runs in this thread and a transaction's statements chain through microtasks,
      // so while one batch commits no new request is even read: without this pause every batch has one message.
      await new Promise((resolve) => setImmediate(resolve));
      const batch = this.#queue.splice(0, this.maxBatch);
      if (batch.length === 0) break;
      const taken = { at: batch[0]!.at };
      this.#committing.add(taken);
      try {
        const reopenSince = new Date(Date.now() - this.deps.config.sessions.reopenWindowMs);
        const { outcomes, jobs } = await this.deps.db.transaction((tx) => writeBatch(tx, batch.map((p) => p.input), reopenSince));
        await enqueueCommitted(this.deps, jobs);
        batch.forEach((p, i) => {
          const o = outcomes[i]!;
          if (o instanceof Error) p.reject(o);
          else p.resolve(o);
        });
      } catch (err) {
        // One bad message must not fail its neighbours: each retries alone on the single path. A race on a unique
        // key (Unsettled) is expected under concurrency, and the single path resolves it.
        const level = err instanceof Unsettled ? 'debug' : 'warn';
        this.deps.logger[level]({ err: (err as Error).message, size: batch.length }, 'batch failed; messages go one by one');
        for (const p of batch) p.resolve(undefined);
      } finally {
        this.#committing.delete(taken);
      }
    }
    this.#running -= 1;
  }
}

type Outcome = IngestResult | NotFoundError | undefined;

/** Both kinds in one transaction; outcomes in the inputs' order. */
async function writeBatch(tx: Tx, inputs: Batchable[], reopenSince: Date): Promise<{ outcomes: Outcome[]; jobs: MessageJobRef[] }> {
  const known: number[] = [];
  const arriving: number[] = [];
  inputs.forEach((input, i) => (input.kind === 'from-channel' ? arriving : known).push(i));
  const outcomes: Outcome[] = new Array(inputs.length).fill(undefined);
  const jobs: MessageJobRef[] = [];
  const merge = (at: number[], r: { outcomes: Array<Outcome | ChannelOutcome>; jobs: MessageJobRef[] }) => {
    at.forEach((i, k) => (outcomes[i] = r.outcomes[k]));
    jobs.push(...r.jobs);
  };
  // Contacts' locks before sessions', as the single path takes them: no deadlock between the two.
  if (arriving.length) merge(arriving, await writeChannelBatch(tx, arriving.map((i) => inputs[i] as FromChannel), reopenSince));
  if (known.length) merge(known, await writeKnownBatch(tx, known.map((i) => inputs[i] as IntoKnown)));
  return { outcomes, jobs };
}

async function writeKnownBatch(tx: Tx, inputs: IntoKnown[]): Promise<{ outcomes: Outcome[]; jobs: MessageJobRef[] }> {
  const found = await tx
    .select({
      id: sessions.id,
      orgId: sessions.orgId,
      contactId: sessions.contactId,
      status: sessions.status,
      channel: { id: channels.id, type: channels.type },
    })
    .from(sessions)
    .innerJoin(channels, eq(channels.id, sessions.channelId))
    .where(inArray(sessions.id, [...new Set(inputs.map((i) => i.sessionId))]))
    .for('update', { of: sessions });
  const byId = new Map(found.map((s) => [s.id, s]));

  const places = inputs.map((input) => {
    const s = byId.get(input.sessionId);
    if (!s || s.orgId !== input.orgId) return new NotFoundError('Chat session');
    // Reopening writes a status change first: the single path does that.
    if (input.kind === 'into-session' && input.sender === 'contact' && s.status !== 'open') return undefined;
    return s;
  });
  const toWrite = inputs.flatMap((input, i) => {
    const s = places[i];
    return s && !(s instanceof Error) ? [{ i, s, line: toLine(input, { sessionId: s.id, channel: s.channel }) }] : [];
  });
  // No external ids in a batch, so every line is written.
  const written = await writeLines(tx, toWrite.map((w) => w.line));
  const outcomes: Outcome[] = places.map((s) => (s instanceof Error ? s : undefined));
  const jobs: MessageJobRef[] = [];
  toWrite.forEach(({ i, s }, k) => {
    const { messageId, job } = written[k]!;
    outcomes[i] = { messageId, sessionId: s.id, contactId: s.contactId, channel: s.channel, duplicate: false, sessionCreated: false };
    if (job) jobs.push(job);
  });
  return { outcomes, jobs };
}
