import type { BlobStore } from '../../blob/blob-store.ts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import { cleanJobHistory } from '../../queue/job-history.ts';
import type { Queues } from '../../queue/queues.ts';
import { pruneIdempotencyKeys } from '../organization/idempotency-records.ts';
import { removeOrphanBlobs } from './orphan-blobs.ts';
import { type Periodic, runEvery } from '../relays/periodic.ts';
import { pruneDeliveries, pruneEvents, retentionCutoff } from '../relays/retention.ts';

// Storage that nothing else ever frees: blobs no attachment names (after BLOB_GRACE_MS), expired Idempotency-Key
// records, and history past its retention (RETENTION_*_DAYS): events, webhook delivery attempts and finished jobs.
// Run beside the work sweeper (workers/main.ts), elected, far less often: it walks the blob store.

export const STORAGE_SWEEP_INTERVAL_MS = 15 * 60_000;
const DAY_MS = 24 * 3600 * 1000;

export interface StorageSweepDeps {
  db: Db;
  blobs: BlobStore;
  queues: Queues;
  logger: Logger;
  config: Pick<Config, 'retention'>;
}

export async function sweepStorageOnce(deps: StorageSweepDeps, blobGraceMs: number, now: Date = new Date()) {
  const idempotencyKeys = await pruneIdempotencyKeys(deps.db, now);
  const blobs = await removeOrphanBlobs(deps.db, deps.blobs, blobGraceMs, now);
  const { eventsDays, deliveriesDays, jobsDays } = deps.config.retention;
  // Deliveries first: an event's go with it, and counting them here keeps the two numbers apart.
  const deliveries = deliveriesDays === null ? 0 : await pruneDeliveries(deps.db, retentionCutoff(deliveriesDays, now));
  const events = eventsDays === null ? 0 : await pruneEvents(deps.db, retentionCutoff(eventsDays, now));
  // Queue.clean measures a job's age from this process's clock: `now` does not move it.
  const jobs = jobsDays === null ? 0 : await cleanJobHistory(deps.queues, jobsDays * DAY_MS);
  return { blobs, idempotencyKeys, events, deliveries, jobs };
}

export function startStorageSweeper(
  deps: StorageSweepDeps,
  blobGraceMs: number,
  intervalMs: number = STORAGE_SWEEP_INTERVAL_MS,
): Periodic {
  const step = async () => {
    const n = await sweepStorageOnce(deps, blobGraceMs);
    return n.blobs + n.idempotencyKeys + n.events + n.deliveries + n.jobs;
  };
  return runEvery(intervalMs, deps.logger, 'storage sweep (orphan blobs, expired idempotency keys, history past retention)', step, {
    level: 'info',
  });
}
