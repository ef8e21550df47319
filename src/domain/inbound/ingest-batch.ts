import type { Database } from '../../db/client.ts';
import { NotFoundError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { Queues } from '../../queue/queues.ts';
import { Unsettled } from './ingest-batch-channel.ts';
import { type BatchCommit, type Batchable, commitBatch } from './ingest-batch-write.ts';
import type { IngestInput, IngestResult } from './ingest-input.ts';
import { type EnqueuedMarker, enqueueCommitted } from '../relays/outbox.ts';

// Group commit. Per-request transactions cap durable ingest at the database's statement rate (PGlite runs one
// statement at a time). Messages that arrive while a batch is being written wait and go together: one
// transaction, a handful of multi-row statements for the whole batch, whatever its size. Two kinds share it:
// messages into known, open sessions (the Sessions API), and messages arriving on a channel, new senders and
// returning ones, with their provider ids (ingest-batch-channel.ts).

/** The shapes the batch writes: with nothing else to change than what the batch's statements do. */
export function isBatchable(input: IngestInput): input is Batchable {
  if (input.attachments?.length) return false;
  if (input.kind === 'from-channel') return true;
  return input.externalId === undefined && (input.kind === 'system' || input.contact === undefined);
}

/** Where commitBatch lives, for the database thread to import (the same file, .ts from sources, .js built). */
const WRITE_MODULE = new URL(`./ingest-batch-write.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;

interface Pending {
  input: Batchable;
  at: number;
  resolve(r: IngestResult | undefined): void;
  reject(err: unknown): void;
}

export interface BatcherDeps {
  /** The batch's commit runs in the database's thread where it has one (Database.near), first in line. */
  database: Pick<Database, 'db' | 'near'>;
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

  #commit(inputs: Batchable[], reopenSinceMs: number): Promise<BatchCommit> {
    const { db, near } = this.deps.database;
    // Urgent: providers wait on it for their 2xx; the workers' reads can wait a batch.
    if (near) return near<BatchCommit>(WRITE_MODULE, 'commitBatch', [inputs, reopenSinceMs], { urgent: true });
    return commitBatch(db, inputs, reopenSinceMs);
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
        const { outcomes, jobs } = await this.#commit(batch.map((p) => p.input), reopenSince.getTime());
        await enqueueCommitted(this.deps, jobs);
        batch.forEach((p, i) => {
          const o = outcomes[i];
          if (o && 'notFound' in o) p.reject(new NotFoundError(o.notFound));
          else p.resolve(o ?? undefined);
        });
      } catch (err) {
        // One bad message must not fail its neighbours: each retries alone on the single path. A race on a unique
        // key (Unsettled) is expected under concurrency, and the single path resolves it.
        const level = err instanceof Unsettled || (err as Error).name === 'Unsettled' ? 'debug' : 'warn';
        this.deps.logger[level]({ err: (err as Error).message, size: batch.length }, 'batch failed; messages go one by one');
        for (const p of batch) p.resolve(undefined);
      } finally {
        this.#committing.delete(taken);
      }
    }
    this.#running -= 1;
  }
}

