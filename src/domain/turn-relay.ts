import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { channels, messages } from '../db/schema/index.ts';
import type { Logger } from '../logger.ts';
import { enqueueTurns } from '../queue/enqueue.ts';
import type { Queues } from '../queue/queues.ts';

/**
 * Records, in batches, that a message's turn job is in Redis, so the relay leaves it alone.
 * Losing a batch (crash) only means the relay re-adds those jobs, which BullMQ dedupes by job id.
 */
export class EnqueuedMarker {
  #pending = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly delayMs = 50,
  ) {}

  mark(messageId: string): void {
    this.#pending.add(messageId);
    this.#timer ??= setTimeout(() => void this.flush(), this.delayMs);
  }

  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const ids = [...this.#pending];
    this.#pending.clear();
    if (ids.length === 0) return this.#flushing;
    this.#flushing = this.#flushing.then(() =>
      this.db
        .update(messages)
        .set({ turnEnqueuedAt: new Date() })
        .where(inArray(messages.id, ids))
        .then(
          () => undefined,
          (err: unknown) => this.logger.warn({ err, count: ids.length }, 'could not mark turns enqueued'),
        ),
    );
    return this.#flushing;
  }
}

export interface RelayOptions {
  /** Messages younger than this are left to the request that committed them. */
  graceMs: number;
  /** Pending turns older than this are re-added even if marked enqueued (Redis may have lost them). */
  staleMs: number;
  batchSize?: number;
}

/**
 * The outbox relay: finds committed messages that still await their turn and whose job is not known to be in
 * Redis (never enqueued, or pending so long that Redis may have lost it) and adds their jobs again.
 * Job ids are deterministic, so re-adding a job that exists is a no-op. Returns how many it (re)enqueued.
 */
export async function relayPendingTurns(db: Db, queues: Queues, opts: RelayOptions): Promise<number> {
  const now = Date.now();
  const graceCutoff = new Date(now - opts.graceMs);
  const staleCutoff = new Date(now - opts.staleMs);
  const rows = await db
    .select({ id: messages.id, orgId: messages.orgId, sessionId: messages.sessionId, channel: channels.type })
    .from(messages)
    .innerJoin(channels, eq(channels.id, messages.channelId))
    .where(
      and(
        eq(messages.turnState, 'pending'),
        lt(messages.createdAt, graceCutoff),
        or(
          isNull(messages.turnEnqueuedAt),
          and(lt(messages.createdAt, staleCutoff), or(isNull(messages.turnSweptAt), lt(messages.turnSweptAt, staleCutoff))),
        ),
      ),
    )
    .orderBy(asc(messages.createdAt))
    .limit(opts.batchSize ?? 500);
  if (rows.length === 0) return 0;
  await enqueueTurns(
    queues,
    rows.map((r) => ({ orgId: r.orgId, sessionId: r.sessionId, messageId: r.id, channel: r.channel })),
  );
  const stamp = new Date();
  await db
    .update(messages)
    .set({ turnEnqueuedAt: sql`coalesce(${messages.turnEnqueuedAt}, ${stamp.toISOString()}::timestamptz)`, turnSweptAt: stamp })
    .where(inArray(messages.id, rows.map((r) => r.id)));
  return rows.length;
}

/** Runs the relay every `intervalMs` until stopped; errors (Redis down) are logged and retried next tick. */
export function startRelay(db: Db, queues: Queues, logger: Logger, opts: RelayOptions & { intervalMs: number }) {
  let stopped = false;
  let running: Promise<void> | undefined;
  const tick = async () => {
    try {
      let n: number;
      do {
        n = await relayPendingTurns(db, queues, opts);
        if (n > 0) logger.info({ count: n }, 'relay enqueued pending turns');
      } while (n === (opts.batchSize ?? 500) && !stopped);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'relay could not enqueue; will retry');
    }
  };
  // A slow tick (Redis timing out) is never stacked: the next one starts only after it ends.
  const timer = setInterval(() => {
    running ??= tick().finally(() => (running = undefined));
  }, opts.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
