import type { MiddlewareHandler } from 'hono';
import { OverloadedError } from '../errors.ts';
import type { AppEnv } from './env.ts';

// Back-pressure for ingress (issue 17). A provider that gets no answer in time (Twilio 15 s, Slack 3 s) counts a
// failure and retries, while the request we kept still commits: work done for nothing, at the worst moment. So
// while this process is behind — accepted messages waiting longer than SHED_AFTER_MS to be committed — new ingress
// is answered 503 with Retry-After at once, before any byte of it is read or stored, and what was accepted keeps
// its place. Nothing accepted is refused; nothing refused was stored. (The event loop's own lag is not a signal
// here: with the database in its thread it stays small, and a single slow statement would shed healthy traffic.)

export interface LoadProbe {
  /** The oldest uncommitted message's wait (the ingest batcher's). */
  oldestWaitMs(): number;
}

export function shedWhenBehind(probe: LoadProbe, shedAfterMs: number, onShed: () => void): MiddlewareHandler<AppEnv> {
  if (shedAfterMs <= 0) return (_c, next) => next();
  return async (_c, next) => {
    const behindMs = probe.oldestWaitMs();
    if (behindMs > shedAfterMs) {
      onShed();
      // Come back once the backlog has had time to drain: at least a second, about as long as it is behind.
      throw new OverloadedError('Switchboard is catching up; retry shortly', Math.max(1000, behindMs));
    }
    await next();
  };
}
