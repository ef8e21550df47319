import type { ChannelKind } from '../domain/model/enums.ts';
import { jobIds } from './names.ts';
import type { Queues } from './queues.ts';

/** How long a request may wait on Redis before it leaves the job to the relay. */
const ENQUEUE_TIMEOUT_MS = 500;

/** The job a committed message needs: its turn (customer message) or its dispatch (outbound reply). */
export interface MessageJobRef {
  queue: 'turn' | 'dispatch';
  orgId: string;
  sessionId: string;
  messageId: string;
  channel: ChannelKind;
}

/** Adds message jobs (ids only, deterministic job ids). Throws if Redis does not take them in time. */
export async function enqueueMessageJobs(queues: Queues, refs: MessageJobRef[]): Promise<void> {
  const adds = (['turn', 'dispatch'] as const).map((queue) => {
    const jobs = refs
      .filter((r) => r.queue === queue)
      .map(({ orgId, sessionId, messageId, channel }) => {
        const data = { orgId, sessionId, messageId };
        return { name: channel, data, opts: { jobId: jobIds[queue](data) } };
      });
    return jobs.length > 0 ? queues[queue].addBulk(jobs) : undefined;
  });
  await withTimeout(Promise.all(adds), ENQUEUE_TIMEOUT_MS);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
