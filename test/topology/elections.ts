import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { leaderKey } from '../../src/queue/leader-election.ts';
import type { Restartable } from '../chaos/processes.ts';

// Who holds each election of a topology run, read from Redis the way an operator would: the value of
// {prefix}:leader:<job> names the holder's host and pid (src/queue/leader-election.ts).

/** The jobs a worker process stands for (IMAP polling when IMAP_POLLING is on). */
export const ELECTED_JOBS = ['outbox-relay', 'event-relay', 'imap-polling', 'work-sweeper', 'storage-sweeper'] as const;

/** Job → the name of the process holding it ('none' when nobody does, 'pid N' for a process not in the list). */
export async function electionHolders(
  redis: Redis,
  prefix: string,
  processes: Array<{ name: string; proc: Restartable }>,
): Promise<Record<string, string>> {
  const names = new Map(processes.map((p) => [p.proc.pid() ?? -1, p.name]));
  const values = await Promise.all(ELECTED_JOBS.map((job) => redis.get(leaderKey(prefix, job))));
  return Object.fromEntries(
    ELECTED_JOBS.map((job, i) => {
      const value = values[i];
      if (!value) return [job, 'none'];
      const pid = Number(value.split(':').at(-2));
      return [job, names.get(pid) ?? `pid ${pid}`];
    }),
  );
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(100);
  }
}
