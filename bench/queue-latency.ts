import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { createRedis } from '../src/queue/connection.ts';
import { paced, percentile } from './load.ts';

// (e) Baseline for the reply latency: raw BullMQ add→completed at a steady rate, a no-op worker, on the Redis the
// server uses. Per job, from just before `add` to the worker's own `completed` event in this process (one clock,
// performance.now(); no QueueEvents stream hop, which would add its delivery delay to the figure).

export interface QueueLatency {
  rate: number;
  p50: number;
  p99: number;
  max: number;
  count: number;
  /** Added but not seen completed within the drain time, or add failed. */
  missing: number;
  errors: number;
  concurrency: number;
}

export async function bullmqLatency(redisUrl: string, rate: number, seconds: number, concurrency: number): Promise<QueueLatency> {
  const prefix = `{bench-lat-${randomUUID().slice(0, 8)}}`;
  const producer = createRedis(redisUrl, 'plain');
  const consumer = createRedis(redisUrl, 'worker');
  const queue = new Queue('bench-latency', { connection: producer, prefix });
  const worker = new Worker('bench-latency', async () => undefined, { connection: consumer, prefix, concurrency });
  const startedAt = new Map<string, number>();
  let latencies: number[] = [];
  worker.on('completed', (job) => {
    const t0 = startedAt.get(job.id!);
    if (t0 === undefined) return;
    latencies.push(performance.now() - t0);
    startedAt.delete(job.id!);
  });
  // Job data shaped like a turn job (ids only); deterministic job ids, as the product uses.
  const data = { orgId: randomUUID(), sessionId: randomUUID() };
  let errors = 0;
  const run = async (tag: string, count: number) => {
    const sent = await paced(rate, count, async (i) => {
      const jobId = `${tag}-${i}`;
      startedAt.set(jobId, performance.now());
      try {
        await queue.add('api', { ...data, messageId: randomUUID() }, { jobId, removeOnComplete: true, removeOnFail: true });
      } catch {
        errors++;
        startedAt.delete(jobId);
      }
    });
    for (const deadline = Date.now() + 5000; startedAt.size > 0 && Date.now() < deadline; ) await sleep(20);
    return sent;
  };
  try {
    await worker.waitUntilReady();
    await run('warm', Math.round(rate / 2)); // warm-up: half a second at the rate, not counted
    latencies = [];
    startedAt.clear();
    errors = 0;
    const sent = await run('run', Math.round(rate * seconds));
    const sorted = latencies.sort((a, b) => a - b);
    return {
      rate: sent.rate,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1) ?? Number.NaN,
      count: sorted.length,
      missing: startedAt.size + errors,
      errors,
      concurrency,
    };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    producer.disconnect();
    consumer.disconnect();
  }
}
