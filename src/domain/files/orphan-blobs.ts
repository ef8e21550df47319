import { inArray } from 'drizzle-orm';
import type { BlobStore } from '../../blob/blob-store.ts';
import type { Db } from '../../db/client.ts';
import { attachments } from '../../db/schema/index.ts';

// Blobs that no attachment row names (in any organization) are removed once older than the grace period
// (BLOB_GRACE_MS): files of a request refused after they were stored, of a message whose commit failed, of rows
// since deleted. The grace period is what keeps a blob whose message is still being stored: its bytes are put
// first and its row commits moments later, and a put renews the blob's stored time even when the bytes were
// there already. The store's delete re-checks that time, so a put racing the sweep keeps its blob.

const BATCH = 500;

/** One pass over the store; returns how many blobs were removed. */
export async function removeOrphanBlobs(db: Db, blobs: BlobStore, graceMs: number, now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - graceMs);
  let removed = 0;
  let batch: string[] = [];
  for await (const blob of blobs.list()) {
    if (blob.storedAt >= cutoff) continue;
    batch.push(blob.key);
    if (batch.length === BATCH) {
      removed += await removeUnreferenced(db, blobs, batch, cutoff);
      batch = [];
    }
  }
  if (batch.length > 0) removed += await removeUnreferenced(db, blobs, batch, cutoff);
  return removed;
}

async function removeUnreferenced(db: Db, blobs: BlobStore, keys: string[], cutoff: Date): Promise<number> {
  const rows = await db.selectDistinct({ key: attachments.blobKey }).from(attachments).where(inArray(attachments.blobKey, keys));
  const referenced = new Set(rows.map((r) => r.key));
  let removed = 0;
  for (const key of keys) if (!referenced.has(key) && (await blobs.deleteIfStoredBefore(key, cutoff))) removed++;
  return removed;
}
