import { lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { idempotencyKeys } from '../../db/schema/index.ts';

// How long an `Idempotency-Key` is remembered (src/http/middleware/idempotency.ts): a repeat within a day is a
// retry and gets the first answer; after that it is a new request. Expired records are deleted by the storage
// sweeper (src/domain/files/storage-sweeper.ts), so the table holds about a day of keys.

export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

const BATCH = 1000;

/** The time before which a record has expired. */
export const idempotencyCutoff = (now: Date = new Date()): Date => new Date(now.getTime() - IDEMPOTENCY_TTL_MS);

/** Deletes expired records, a batch at a time; returns how many. */
export async function pruneIdempotencyKeys(db: Db, now: Date = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = db
      .select({ orgId: idempotencyKeys.orgId, key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(lt(idempotencyKeys.createdAt, idempotencyCutoff(now)))
      .limit(BATCH);
    const gone = await db
      .delete(idempotencyKeys)
      .where(sql`(${idempotencyKeys.orgId}, ${idempotencyKeys.key}) in (${expired})`)
      .returning({ key: idempotencyKeys.key });
    total += gone.length;
    if (gone.length < BATCH) return total;
  }
}
