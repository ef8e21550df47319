import type { ChannelKind } from '../domain/enums.ts';
import { jobIds, type JobData } from './names.ts';
import type { Queues } from './queues.ts';

/** How long a request may wait on Redis before it leaves the job to the relay. */
const ENQUEUE_TIMEOUT_MS = 500;

export interface TurnJobRef extends Pick<JobData['turn'], 'orgId' | 'sessionId' | 'messageId'> {
  channel: ChannelKind;
}

/** Adds turn jobs (ids only, deterministic job ids). Throws if Redis does not take them in time. */
export async function enqueueTurns(queues: Queues, refs: TurnJobRef[]): Promise<void> {
  if (refs.length === 0) return;
  const jobs = refs.map(({ channel, ...data }) => ({ name: channel, data, opts: { jobId: jobIds.turn(data) } }));
  await withTimeout(queues.turn.addBulk(jobs), ENQUEUE_TIMEOUT_MS);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
