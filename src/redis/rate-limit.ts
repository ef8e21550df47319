import type { Redis } from 'ioredis';

// Fixed-window counters in Redis, so every gateway process counts against the same limit. A window is one key
// (`<prefix>:rl:<name>:<window start>`) that expires with the window: no cleanup, O(1) per hit.

export interface RateVerdict {
  allowed: boolean;
  /** When the current window ends (0 when allowed). */
  retryAfterMs: number;
}

export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Count one hit on `name`; allowed while the window holds at most `limit` hits. */
  async hit(name: string, limit: number, windowMs: number): Promise<RateVerdict> {
    const now = this.now();
    const start = now - (now % windowMs);
    const key = `${this.prefix}:rl:${name}:${start}`;
    const [[, count]] = (await this.redis.multi().incr(key).pexpire(key, windowMs).exec()) as [[Error | null, number]];
    return count <= limit ? { allowed: true, retryAfterMs: 0 } : { allowed: false, retryAfterMs: start + windowMs - now };
  }
}
