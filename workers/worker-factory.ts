import { type BackoffStrategy, type Job, type Processor, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChannelKind } from '../src/domain/model/enums.ts';
import type { Logger } from '../src/logger.ts';
import { createRedis } from '../src/queue/connection.ts';
import { jobSchemas, type JobData, type QueueName, redisPrefix } from '../src/queue/names.ts';

export interface WorkerOptions {
  redisUrl: string;
  queuePrefix: string;
  logger: Logger;
  concurrency?: number;
  /** How often BullMQ looks for jobs whose worker died (ms). */
  stalledIntervalMs?: number;
  /** How long a job's lock lives without renewal: a dead worker's job is retaken after this (ms). */
  lockDurationMs?: number;
  /** For jobs whose `backoff.type` is one of the queue's own (BullMQ's custom backoff strategy). */
  backoffStrategy?: BackoffStrategy;
  /** How a failed attempt is logged: `warn`, 'job failed', unless the queue's failures are routine. */
  failedLog?: { level: 'info' | 'warn'; message: string };
}

/**
 * A BullMQ worker on `name` with its own blocking connection (as BullMQ's production guide says), payloads
 * validated by the queue's zod schema (a malformed job fails once, it never loops), and errors logged.
 */
export function createQueueWorker<Q extends QueueName>(
  name: Q,
  processor: (job: Job<JobData[Q], unknown, ChannelKind>, token: string | undefined) => Promise<unknown>,
  opts: WorkerOptions,
): { worker: Worker<JobData[Q], unknown, ChannelKind>; connection: Redis } {
  const connection = createRedis(opts.redisUrl, 'worker');
  connection.on('error', (err) => opts.logger.debug({ err: err.message, queue: name }, 'worker redis error'));
  const run: Processor<JobData[Q], unknown, ChannelKind> = async (job, token) => {
    const parsed = jobSchemas[name].safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Malformed ${name} job ${job.id}: ${parsed.error.message}`);
    return processor(job, token);
  };
  const worker = new Worker<JobData[Q], unknown, ChannelKind>(name, run, {
    connection,
    prefix: redisPrefix(opts.queuePrefix),
    concurrency: opts.concurrency ?? 8,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    lockDuration: opts.lockDurationMs ?? 30_000,
    maxStalledCount: 3,
    ...(opts.backoffStrategy ? { settings: { backoffStrategy: opts.backoffStrategy } } : {}),
  });
  const { level, message } = opts.failedLog ?? { level: 'warn', message: 'job failed' };
  worker.on('error', (err) => opts.logger.warn({ err: err.message, queue: name }, 'worker error'));
  worker.on('failed', (job, err) =>
    opts.logger[level]({ queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, message),
  );
  return { worker, connection };
}
