import { RateLimitedError } from '../../../src/errors.ts';
import type { Logger } from '../../../src/logger.ts';
import type { RateLimiter } from '../../../src/redis/rate-limit.ts';
import type { Visitor } from './visitors.ts';
import type { WebChannel } from './web-channel.ts';

// The web chat's rate limits (the channel's `rate_limits`, docs/web-chat.md), counted in Redis over a sliding
// minute and checked before anything is written: no contact, file or message exists for a refused request.
// If Redis cannot count, the request is let through (logged): the chat keeps working through a Redis blip.

export interface LimitDeps {
  limiter: RateLimiter;
  logger: Logger;
}

const MINUTE = 60_000;

/** A message, its files included: per visitor, and per address for every visitor of the channel. */
export function checkMessageRate(deps: LimitDeps, channel: WebChannel, visitor: Visitor, ip: string | undefined) {
  const limits = channel.config.rate_limits;
  return enforce(
    deps,
    [[`v:${visitor.contactId}`, limits.visitor_per_minute], ...perAddress(`ip:${channel.id}`, ip, limits.ip_per_minute)],
    'Too many messages: wait a moment before sending more',
  );
}

/** A new anonymous visitor (a new contact): per address, and for the whole channel. */
export function checkNewVisitorRate(deps: LimitDeps, channel: WebChannel, ip: string | undefined) {
  const limits = channel.config.rate_limits;
  const checks: Check[] = [
    [`nv:${channel.id}`, limits.new_visitors_per_minute],
    ...perAddress(`nv-ip:${channel.id}`, ip, limits.new_visitors_ip_per_minute),
  ];
  return enforce(deps, checks, 'Too many new visitors: wait a moment and try again');
}

type Check = [name: string, perMinute: number];

/** No address (not served by node: app.request in tests) means no per-address count. */
const perAddress = (name: string, ip: string | undefined, perMinute: number): Check[] =>
  ip ? [[`${name}:${ip}`, perMinute]] : [];

async function enforce(deps: LimitDeps, checks: Check[], message: string): Promise<void> {
  try {
    const verdicts = await Promise.all(checks.map(([name, perMinute]) => deps.limiter.hit(name, perMinute, MINUTE)));
    const refused = verdicts.filter((v) => !v.allowed);
    if (refused.length > 0) throw new RateLimitedError(message, Math.max(...refused.map((v) => v.retryAfterMs)));
  } catch (err) {
    if (err instanceof RateLimitedError) throw err;
    deps.logger.warn({ err: (err as Error).message }, 'rate limit unavailable; request allowed');
  }
}
