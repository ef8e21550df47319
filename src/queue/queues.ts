import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChannelKind } from '../domain/model/enums.ts';
import { QUEUE_NAMES, type JobData, type QueueName, redisPrefix } from './names.ts';

/**
 * A job's name is the channel kind it is about (for dashboards and logs); an organization-wide event (a contact
 * deleted) has no channel, and its webhook deliveries are named ORG_WIDE.
 */
export const ORG_WIDE = 'organization' as const;
export type JobName = ChannelKind | typeof ORG_WIDE;
export type Queues = { [Q in QueueName]: Queue<JobData[Q], unknown, JobName> };

/** Completed jobs are kept a day so a re-add with the same job id stays a no-op while anyone could retry it. */
const defaultJobOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** `onError` receives connection errors, which BullMQ would otherwise print to the console. */
export function createQueues(connection: Redis, prefix: string, onError: (err: Error) => void): Queues {
  const entries = QUEUE_NAMES.map((name) => {
    const queue = new Queue(name, { connection, prefix: redisPrefix(prefix), defaultJobOptions });
    queue.on('error', onError);
    return [name, queue];
  });
  return Object.fromEntries(entries) as Queues;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
