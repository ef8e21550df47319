import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from 'ioredis';
import { ioredisScriptRunner, type ScriptRunner } from './lua-scripts.ts';

// Sliding-window limits in Redis, so every gateway process counts against the same limit. @upstash/ratelimit's
// slidingWindow (https://upstash.com/docs/redis/sdks/ratelimit-ts/algorithms#sliding-window) keeps one counter
// per fixed window and weighs the previous window's count by how much of it still overlaps the last `windowMs`:
// a burst straddling a window boundary cannot get twice the limit through, as it could with fixed windows. One Lua
// script per hit (atomic across processes); keys `<prefix>:rl:<windowMs>:<name>:<window number>` expire on their
// own after two windows. Its scripts run over our ioredis connection (lua-scripts.ts). Off: the library's
// per-process block cache (it would refuse without asking Redis, so a count could disagree between processes),
// its analytics (extra Redis writes), its timeout (it lets a request through when Redis is slow; callers decide
// what an unreachable Redis means) and its telemetry.

export interface RateVerdict {
  allowed: boolean;
  /** How long until a hit could be allowed again (0 when allowed); an upper bound, as the window slides. */
  retryAfterMs: number;
}

export class RateLimiter {
  private readonly scripts: ScriptRunner;
  /** One library limiter per (limit, window): its algorithm is fixed at construction. */
  private readonly limiters = new Map<string, Ratelimit>();

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.scripts = ioredisScriptRunner(redis);
  }

  /** Count one hit on `name`; allowed while the last `windowMs` hold at most `limit` hits. Rejects if Redis does. */
  async hit(name: string, limit: number, windowMs: number): Promise<RateVerdict> {
    const { success, reset } = await this.limiterFor(limit, windowMs).limit(name);
    if (success) return { allowed: true, retryAfterMs: 0 };
    // Refused, the hit is not counted. `reset` is the end of the current window: a millisecond later, at least one
    // hit fits (the current window then weighs just under its full count, which is at most `limit`).
    return { allowed: false, retryAfterMs: Math.min(windowMs, Math.max(1, reset + 1 - Date.now())) };
  }

  private limiterFor(limit: number, windowMs: number): Ratelimit {
    const id = `${limit}/${windowMs}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new Ratelimit({
        // With dynamicLimits off, eval and evalsha are all the library calls (its dist/index.mjs).
        redis: this.scripts as unknown as ConstructorParameters<typeof Ratelimit>[0]['redis'],
        limiter: Ratelimit.slidingWindow(limit, `${windowMs} ms`),
        prefix: `${this.prefix}:rl:${windowMs}`,
        ephemeralCache: false,
        analytics: false,
        timeout: 0,
        enableTelemetry: false,
      });
      // Limits come from channel configs: a few distinct pairs, but never let them pile up.
      if (this.limiters.size >= 1000) this.limiters.clear();
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}
