import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedis } from '../../src/queue/connection.ts';
import { RateLimiter } from '../../src/redis/rate-limit.ts';
import { freshQueuePrefix, redisUrl } from '../helpers/services.ts';

// The sliding-window limiter (@upstash/ratelimit's scripts) on the test run's real redis-server: counts shared by
// every process, no double burst across a window boundary, and a Redis that lost its scripts is fine.
// The clock: only Date is faked (the library reads Date.now() and hands it to its script); Redis runs for real.

let redis: Redis;
let other: Redis;
const prefix = freshQueuePrefix();
const MINUTE = 60_000;

beforeAll(async () => {
  redis = createRedis(redisUrl(), 'producer');
  other = createRedis(redisUrl(), 'producer');
  // Producers fail fast rather than queue commands: wait until both are connected.
  await Promise.all([redis, other].map((r) => new Promise((ok) => r.once('ready', ok))));
});
afterAll(() => {
  redis.disconnect();
  other.disconnect();
});
afterEach(() => vi.useRealTimers());

/** `n` hits on `name`: how many were allowed, and the last verdict. */
async function burst(limiter: RateLimiter, name: string, n: number, limit: number, windowMs = MINUTE) {
  let allowed = 0;
  let last = { allowed: true, retryAfterMs: 0 };
  for (let i = 0; i < n; i++) {
    last = await limiter.hit(name, limit, windowMs);
    if (last.allowed) allowed++;
  }
  return { allowed, last };
}

/** Fakes Date at `offsetMs` into a window of `windowMs` (a round number of windows since the epoch). */
const at = (windowStart: number, offsetMs: number) => vi.setSystemTime(windowStart + offsetMs);

describe('RateLimiter', () => {
  it('runs its scripts on Redis 7: allows the limit, refuses the rest, keys under the queue prefix that expire', async () => {
    const limiter = new RateLimiter(redis, prefix);
    const { allowed, last } = await burst(limiter, 'plain', 7, 5);
    expect(allowed).toBe(5);
    expect(last.allowed).toBe(false);
    expect(last.retryAfterMs).toBeGreaterThan(0);
    expect(last.retryAfterMs).toBeLessThanOrEqual(MINUTE + 1);
    const keys = await redis.keys(`*plain*`);
    expect(keys).toEqual([expect.stringMatching(new RegExp(`^${prefix}:rl:${MINUTE}:plain:\\d+$`))]);
    for (const k of keys) expect(await redis.pttl(k)).toBeGreaterThan(MINUTE);
  });

  it('lets no burst of twice the limit through across a window boundary', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const limiter = new RateLimiter(redis, prefix);
    const start = Math.ceil(Date.now() / MINUTE) * MINUTE + 10 * MINUTE;
    at(start, MINUTE - 1000);
    expect((await burst(limiter, 'edge', 15, 10)).allowed).toBe(10);
    // Two seconds later, just past the boundary: a fixed window would allow ten more. The previous window still
    // weighs 59/60 of its 10 (floored: 9), so one more fits.
    at(start, MINUTE + 1000);
    expect((await burst(limiter, 'edge', 15, 10)).allowed).toBe(1);
    // Halfway through the new window half of the old one still counts: 5 + 1 used, 4 left.
    at(start, MINUTE + 30_000);
    expect((await burst(limiter, 'edge', 15, 10)).allowed).toBe(4);
  });

  it('answers a retry time after which a hit is allowed again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const limiter = new RateLimiter(redis, prefix);
    const start = Math.ceil(Date.now() / MINUTE) * MINUTE + 20 * MINUTE;
    at(start, 10_000);
    const { last } = await burst(limiter, 'retry', 4, 3);
    expect(last).toEqual({ allowed: false, retryAfterMs: 50_001 });
    vi.setSystemTime(Date.now() + last.retryAfterMs - 2);
    expect((await limiter.hit('retry', 3, MINUTE)).allowed).toBe(false);
    vi.setSystemTime(Date.now() + 2);
    expect((await limiter.hit('retry', 3, MINUTE)).allowed).toBe(true);
  });

  it('counts one limit across processes (separate connections and limiters)', async () => {
    const a = new RateLimiter(redis, prefix);
    const b = new RateLimiter(other, prefix);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).hit('shared', 8, MINUTE)));
    expect(results.filter((r) => r.allowed)).toHaveLength(8);
  });

  it('keeps names, windows and queue prefixes apart', async () => {
    const limiter = new RateLimiter(redis, prefix);
    expect((await burst(limiter, 'apart', 3, 2)).allowed).toBe(2);
    expect((await burst(limiter, 'apart-2', 3, 2)).allowed).toBe(2);
    expect((await burst(limiter, 'apart', 3, 2, 2 * MINUTE)).allowed).toBe(2);
    expect((await burst(new RateLimiter(redis, freshQueuePrefix()), 'apart', 3, 2)).allowed).toBe(2);
  });

  it('still counts after Redis forgot its scripts (a restart): it sends them again', async () => {
    const limiter = new RateLimiter(redis, prefix);
    expect((await limiter.hit('flushed', 2, MINUTE)).allowed).toBe(true);
    await redis.script('FLUSH');
    expect((await limiter.hit('flushed', 2, MINUTE)).allowed).toBe(true);
    expect((await limiter.hit('flushed', 2, MINUTE)).allowed).toBe(false);
  });

  it('rejects when Redis cannot be reached (the caller decides what that means)', async () => {
    const down = createRedis(redisUrl(), 'producer');
    down.disconnect();
    await expect(new RateLimiter(down, prefix).hit('down', 5, MINUTE)).rejects.toThrow();
  });
});
