import type { Queues } from './queues.ts';

// Finished jobs that Redis keeps (completed and failed), deleted once older than RETENTION_JOBS_DAYS by the storage
// sweeper (src/domain/files/storage-sweeper.ts). BullMQ's removeOnComplete / removeOnFail (src/queue/queues.ts)
// only run when another job of the queue finishes (https://docs.bullmq.io/api/types/v6.KeepJobs.html), so a quiet
// queue would keep its history forever without this. Waiting, delayed and active jobs are never touched.
// Queue.clean removes at most `limit` jobs per call: a bounded step in Redis, repeated until a call comes back short.

const BATCH = 1000;
const MAX_BATCHES = 100;

/** Removes completed and failed jobs that finished more than `graceMs` ago from every queue; returns how many. */
export async function cleanJobHistory(queues: Queues, graceMs: number): Promise<number> {
  let total = 0;
  for (const queue of Object.values(queues)) {
    for (const type of ['completed', 'failed'] as const) {
      for (let i = 0; i < MAX_BATCHES; i++) {
        const removed = await queue.clean(graceMs, BATCH, type);
        total += removed.length;
        if (removed.length < BATCH) break;
      }
    }
  }
  return total;
}
