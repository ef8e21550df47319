import { createMiddleware } from 'hono/factory';
import type { Logger } from '../../logger.ts';
import type { AppEnv } from '../env.ts';

/** A child logger carrying the request id, and one log line per request once it is answered. */
export function requestLog(logger: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    const log = logger.child({ reqId: c.get('requestId') });
    c.set('log', log);
    await next();
    log.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  });
}
