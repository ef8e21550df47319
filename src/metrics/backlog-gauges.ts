import { and, count, isNull } from 'drizzle-orm';
import { Gauge } from 'prom-client';
import type { Db } from '../db/client.ts';
import { events, messages } from '../db/schema/index.ts';
import { pendingWork } from '../domain/relays/outbox.ts';
import type { Logger } from '../logger.ts';
import { QUEUE_NAMES } from '../queue/names.ts';
import type { Queues } from '../queue/queues.ts';
import type { Metrics } from './metrics.ts';

// Gauges read when Prometheus scrapes, not kept up to date by the code that does the work: job counts from
// BullMQ, and the two outboxes (messages whose job is not yet in Redis, events not yet fanned out) from COUNTs
// that the outbox partial indexes answer. Every process reports the same shared numbers. A source that does not
// answer in time (Redis down, a busy database) leaves its gauge empty for that scrape instead of failing it.

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;
const SOURCE_TIMEOUT_MS = 1500;

export interface BacklogSources {
  queues: Queues;
  db: Db;
  logger: Logger;
}

export function registerBacklogGauges(metrics: Metrics, sources: BacklogSources): void {
  const registers = [metrics.registry];
  const { queues, db, logger } = sources;
  // Empty, not zero: reset() alone would leave a gauge without labels at 0, which would read as "no backlog".
  const leaveEmpty = (gauge: Pick<Gauge, 'reset' | 'remove'>, what: string, err: unknown) => {
    gauge.reset();
    gauge.remove({});
    logger.debug({ err: (err as Error).message }, `metrics: ${what} not collected`);
  };

  new Gauge({
    name: 'switchboard_queue_jobs',
    help: 'Jobs in each queue by state (BullMQ job counts at scrape time)',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      try {
        const counts = await withTimeout(Promise.all(QUEUE_NAMES.map((q) => queues[q].getJobCounts(...STATES))));
        this.reset();
        QUEUE_NAMES.forEach((queue, i) => {
          for (const state of STATES) this.set({ queue, state }, counts[i]![state] ?? 0);
        });
      } catch (err) {
        leaveEmpty(this, 'queue job counts', err);
      }
    },
  });

  /** A gauge without labels that is one COUNT, run when scraped. */
  const countGauge = (name: string, help: string, what: string, query: () => PromiseLike<Array<{ n: number }>>) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        try {
          const [row] = await withTimeout(query());
          this.set(row?.n ?? 0);
        } catch (err) {
          leaveEmpty(this, what, err);
        }
      },
    });
  countGauge(
    'switchboard_outbox_backlog',
    'Committed messages with pending work (a turn, or a reply to dispatch) whose job is not yet in Redis',
    'outbox backlog',
    () => db.select({ n: count() }).from(messages).where(and(pendingWork, isNull(messages.jobEnqueuedAt))),
  );
  countGauge('switchboard_event_backlog', 'Events not yet fanned out to webhook endpoints', 'event backlog', () =>
    db.select({ n: count() }).from(events).where(isNull(events.fannedOutAt)),
  );
}

async function withTimeout<T>(work: PromiseLike<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), SOURCE_TIMEOUT_MS))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
