import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { tryLockSession } from '../../src/queue/session-lock.ts';
import { freshQueuePrefix, redisUrl } from '../helpers/services.ts';

// Session locks on the real Redis: a live holder keeps its lock past the TTL (the heartbeat renews it), a holder
// whose connection dies loses it within one TTL, and only the holder can release it.

const prefix = freshQueuePrefix();
const live = new Redis(redisUrl());
afterAll(() => live.disconnect());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a working holder keeps the lock well past its TTL', async () => {
  const lock = await tryLockSession(live, prefix, 'turn', 's1', 400);
  expect(lock).not.toBeNull();
  await sleep(1500);
  expect(await tryLockSession(live, prefix, 'turn', 's1', 400)).toBeNull();
  expect(lock!.held).toBe(true);
  await lock!.release();
  const next = await tryLockSession(live, prefix, 'turn', 's1', 400);
  expect(next).not.toBeNull();
  await next!.release();
});

it('a dead holder (its connection gone, as after kill -9) frees the session within one TTL', async () => {
  const doomed = new Redis(redisUrl());
  const lock = await tryLockSession(doomed, prefix, 'dispatch', 's2', 500);
  expect(lock).not.toBeNull();
  doomed.disconnect();
  const started = Date.now();
  let taken = await tryLockSession(live, prefix, 'dispatch', 's2', 500);
  while (!taken && Date.now() - started < 3000) {
    await sleep(50);
    taken = await tryLockSession(live, prefix, 'dispatch', 's2', 500);
  }
  expect(taken).not.toBeNull();
  expect(Date.now() - started).toBeLessThan(1000);
  await taken!.release();
});

it('a holder that lost its lock learns it, and its release does not free the new holder', async () => {
  const a = await tryLockSession(live, prefix, 'turn', 's3', 300);
  // Someone else's key now (the old one expired while its holder stalled): simulated by replacing it.
  await live.set(`{${prefix}}:lock:turn:s3`, 'someone-else', 'PX', 5000);
  await sleep(300);
  expect(a!.held).toBe(false);
  await a!.release();
  expect(await live.get(`{${prefix}}:lock:turn:s3`)).toBe('someone-else');
});
