import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { type ElectedJob, leaderKey, runElected } from '../../src/queue/leader-election.ts';
import { freshQueuePrefix, redisUrl } from '../helpers/services.ts';

// The election of once-per-cluster work on the real Redis: of several candidates exactly one runs the job; a clean
// stop hands it over at once; a holder whose connection dies (as after kill -9) stops its work before its key can
// expire, and another takes over within a TTL and a beat; the two never run it at the same time. A key left by a
// process of this host that has exited (a restarted server's previous life) is taken at once, not after its TTL.

const TTL = 600;
const prefix = freshQueuePrefix();
const logger = createLogger('silent');
const observer = new Redis(redisUrl());
const clients: Redis[] = [];
const jobs: ElectedJob[] = [];
afterAll(async () => {
  await Promise.all(jobs.map((j) => j.stop()));
  for (const c of clients) c.disconnect();
  observer.disconnect();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A candidate on its own fail-fast connection (what a process's producer connection is), counting its runs. */
function candidate(job: string, running: { now: number; max: number; starts: number[] }, id: number) {
  const redis = createRedis(redisUrl(), 'producer');
  redis.on('error', () => {});
  clients.push(redis);
  const elected = runElected(job, { redis, prefix, logger, ttlMs: TTL }, () => {
    running.now++;
    running.max = Math.max(running.max, running.now);
    running.starts.push(id);
    return { stop: async () => void running.now-- };
  });
  jobs.push(elected);
  return { redis, elected };
}

it('of three candidates exactly one runs the job, and a clean stop hands it over within a beat', async () => {
  const running = { now: 0, max: 0, starts: [] as number[] };
  const all = [0, 1, 2].map((i) => candidate('relay', running, i));
  await expect.poll(() => all.filter((c) => c.elected.leading).length, { timeout: 3000 }).toBe(1);
  await sleep(3 * TTL);
  expect(all.filter((c) => c.elected.leading)).toHaveLength(1);
  expect(running.starts).toHaveLength(1);
  expect(await observer.get(leaderKey(prefix, 'relay'))).toMatch(new RegExp(`:${process.pid}:`));

  const leader = all.find((c) => c.elected.leading)!;
  const stoppedAt = Date.now();
  await leader.elected.stop();
  const rest = all.filter((c) => c !== leader);
  await expect.poll(() => rest.filter((c) => c.elected.leading).length, { timeout: 3000, interval: 20 }).toBe(1);
  expect(Date.now() - stoppedAt).toBeLessThan(TTL);
  expect(running.max).toBe(1);
});

it('a holder whose connection dies steps down, and another takes over within a TTL and a beat, never overlapping', async () => {
  const running = { now: 0, max: 0, starts: [] as number[] };
  const all = [0, 1].map((i) => candidate('sweeper', running, i));
  await expect.poll(() => all.filter((c) => c.elected.leading).length, { timeout: 3000 }).toBe(1);
  const leader = all.find((c) => c.elected.leading)!;
  const other = all.find((c) => c !== leader)!;

  const diedAt = Date.now();
  leader.redis.disconnect();
  let overlap = false;
  while (!other.elected.leading && Date.now() - diedAt < 5000) {
    if (leader.elected.leading && other.elected.leading) overlap = true;
    await sleep(10);
  }
  expect(other.elected.leading).toBe(true);
  expect(leader.elected.leading).toBe(false);
  expect(overlap).toBe(false);
  expect(Date.now() - diedAt).toBeLessThan(TTL + TTL / 3 + 300);
  expect(running.max).toBe(1);
  expect(running.starts).toEqual([all.indexOf(leader), all.indexOf(other)]);
});

it("takes at once a key whose holder was a process of this host that has exited, and waits out a live one's", async () => {
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  await observer.set(leaderKey(prefix, 'restarted'), `${hostname()}:${dead}:earlier-life`, 'PX', 60_000);
  const running = { now: 0, max: 0, starts: [] as number[] };
  const { elected } = candidate('restarted', running, 0);
  await expect.poll(() => elected.leading, { timeout: 500, interval: 20 }).toBe(true);

  // The parent of this process is alive (and so would be another host's holder): its key is left alone.
  await observer.set(leaderKey(prefix, 'elsewhere'), `${hostname()}:${process.ppid}:live`, 'PX', 60_000);
  const other = candidate('elsewhere', running, 1);
  await sleep(3 * TTL);
  expect(other.elected.leading).toBe(false);
  expect(await observer.get(leaderKey(prefix, 'elsewhere'))).toBe(`${hostname()}:${process.ppid}:live`);
});
