import type { BlobStore } from '../../blob/blob-store.ts';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import { pruneIdempotencyKeys } from '../organization/idempotency-records.ts';
import { removeOrphanBlobs } from './orphan-blobs.ts';
import { type Periodic, runEvery } from '../relays/periodic.ts';

// Storage that nothing else ever frees: blobs no attachment names (after BLOB_GRACE_MS) and expired
// Idempotency-Key records. Run beside the work sweeper (workers/main.ts), far less often: it walks the blob store.

export const STORAGE_SWEEP_INTERVAL_MS = 15 * 60_000;

export interface StorageSweepDeps {
  db: Db;
  blobs: BlobStore;
  logger: Logger;
}

export async function sweepStorageOnce(deps: StorageSweepDeps, blobGraceMs: number, now: Date = new Date()) {
  const idempotencyKeys = await pruneIdempotencyKeys(deps.db, now);
  const blobs = await removeOrphanBlobs(deps.db, deps.blobs, blobGraceMs, now);
  return { blobs, idempotencyKeys };
}

export function startStorageSweeper(
  deps: StorageSweepDeps,
  blobGraceMs: number,
  intervalMs: number = STORAGE_SWEEP_INTERVAL_MS,
): Periodic {
  const step = async () => {
    const n = await sweepStorageOnce(deps, blobGraceMs);
    return n.blobs + n.idempotencyKeys;
  };
  return runEvery(intervalMs, deps.logger, 'storage sweep (orphan blobs, expired idempotency keys)', step, { level: 'info' });
}
