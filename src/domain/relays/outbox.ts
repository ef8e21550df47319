import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Db } from '../../db/client.ts';
import { channels, messages } from '../../db/schema/index.ts';
import type { Logger } from '../../logger.ts';
import { enqueueMessageJobs, type MessageJobRef } from '../../queue/enqueue.ts';
import { jobIds } from '../../queue/names.ts';
import { type Periodic, runEvery } from './periodic.ts';
import type { Queues } from '../../queue/queues.ts';

// The outbox: a committed message that needs a job (a customer message its turn, an outbound reply its
// dispatch) gets it after commit; when that fails (Redis down, process died), the relay adds it later.

/**
 * Records, in batches, that a message's job is in Redis, so the relay leaves it alone.
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
        .set({ jobEnqueuedAt: new Date() })
        .where(inArray(messages.id, ids))
        .then(
          () => undefined,
          (err: unknown) => this.logger.warn({ err, count: ids.length }, 'could not mark jobs enqueued'),
        ),
    );
    return this.#flushing;
  }
}

/**
 * After commit: put the jobs of committed messages on their queues and note it. A failure (Redis down) is only
 * logged: the messages are committed, and the relay will add their jobs.
 */
export async function enqueueCommitted(
  deps: { queues: Queues; marker: EnqueuedMarker; logger: Logger },
  jobs: MessageJobRef[],
): Promise<void> {
  if (jobs.length === 0) return;
  try {
    await enqueueMessageJobs(deps.queues, jobs);
    for (const job of jobs) deps.marker.mark(job.messageId);
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message, count: jobs.length }, 'jobs not enqueued; the relay will add them');
  }
}

export interface RelayOptions {
  /** Messages younger than this are left to the request that committed them. */
  graceMs: number;
  /** Pending work older than this is re-added even if marked enqueued (Redis may have lost it). */
  staleMs: number;
  batchSize?: number;
}

/** Work still to do: a turn not taken, or a reply not yet handed to its channel (the outbox index's condition). */
export const pendingWork = or(
  eq(messages.turnState, 'pending'),
  and(eq(messages.deliveryStatus, 'queued'), eq(messages.private, false)),
);

/**
 * The relay: finds committed messages with pending work whose job is not known to be in Redis (never marked
 * enqueued, or pending long enough that Redis may have lost it: staleMs, looked at once per staleMs) and adds the
 * jobs that are really missing. A message whose job is in Redis (the marker lags under load, or a crash lost its
 * mark) is only marked: re-adding it would be a wasted no-op. Job ids are deterministic, so a re-add that races a request's own add is
 * harmless. Returns how many jobs it added.
 */
export async function relayPendingJobs(db: Db, queues: Queues, opts: RelayOptions): Promise<number> {
  const now = Date.now();
  const graceCutoff = new Date(now - opts.graceMs);
  const staleCutoff = new Date(now - opts.staleMs);
  const rows = await db
    .select({
      id: messages.id,
      orgId: messages.orgId,
      sessionId: messages.sessionId,
      turnState: messages.turnState,
      channel: channels.type,
      marked: messages.jobEnqueuedAt,
    })
    .from(messages)
    .innerJoin(channels, eq(channels.id, messages.channelId))
    .where(
      and(
        pendingWork,
        lt(messages.createdAt, graceCutoff),
        or(
          isNull(messages.jobEnqueuedAt),
          and(lt(messages.createdAt, staleCutoff), or(isNull(messages.jobSweptAt), lt(messages.jobSweptAt, staleCutoff))),
        ),
      ),
    )
    .orderBy(asc(messages.createdAt))
    .limit(opts.batchSize ?? 500);
  if (rows.length === 0) return 0;
  const refs: MessageJobRef[] = rows.map((r) => ({
    queue: r.turnState === 'pending' ? 'turn' : 'dispatch',
    orgId: r.orgId,
    sessionId: r.sessionId,
    messageId: r.id,
    channel: r.channel,
  }));
  // Marked rows are looked at too: Redis may have lost their jobs (a restart from an AOF a second behind).
  const inRedis = await jobsInRedis(queues, refs);
  const missing = refs.filter((_, i) => !inRedis[i]);
  if (missing.length > 0) await enqueueMessageJobs(queues, missing);
  const stamp = new Date();
  await db
    .update(messages)
    .set({ jobEnqueuedAt: sql`coalesce(${messages.jobEnqueuedAt}, ${stamp.toISOString()}::timestamptz)`, jobSweptAt: stamp })
    .where(inArray(messages.id, rows.map((r) => r.id)));
  return missing.length;
}

/** For each ref, whether its job's hash exists in Redis (in any state); one round trip. */
async function jobsInRedis(queues: Queues, refs: MessageJobRef[]): Promise<boolean[]> {
  const looked = refs.map((ref, i) => ({ ref, i }));
  const found = refs.map(() => false);
  if (looked.length === 0) return found;
  // The queues' own connection (an ioredis client: src/queue/queues.ts), typed by BullMQ as its backend's.
  const client = (await queues.turn.backend.client) as unknown as Redis;
  const pipeline = client.pipeline();
  for (const { ref } of looked) {
    const queue = queues[ref.queue];
    pipeline.exists(queue.toKey(jobIds[ref.queue]({ orgId: ref.orgId, sessionId: ref.sessionId, messageId: ref.messageId })));
  }
  const answers = (await pipeline.exec()) ?? [];
  looked.forEach(({ i }, k) => (found[i] = answers[k]?.[1] === 1));
  return found;
}

/** Runs the relay every `intervalMs` until stopped; errors (Redis down) are logged and retried next tick. */
export function startRelay(db: Db, queues: Queues, logger: Logger, opts: RelayOptions & { intervalMs: number }): Periodic {
  const batchSize = opts.batchSize ?? 500;
  // Info: the relay only finds work when the request path could not enqueue (Redis was down, a process died).
  const step = () => relayPendingJobs(db, queues, opts);
  return runEvery(opts.intervalMs, logger, 'relay enqueued pending jobs', step, { batchSize, level: 'info' });
}
