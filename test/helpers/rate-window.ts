import { setTimeout as sleep } from 'node:timers/promises';

// The rate limiter's sliding window (src/redis/rate-limit.ts) weighs the previous fixed window by how much of it
// still overlaps, rounded down: a burst that straddles a window's edge may get one hit more than the limit. A test
// that counts exactly how many of a burst get through runs it inside one window, after this.

/** Returns at once when more than `marginMs` of the current window is left; else waits for the next window. */
export async function awayFromWindowEdge(windowMs = 60_000, marginMs = 5_000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left <= marginMs) await sleep(left + 50);
}
