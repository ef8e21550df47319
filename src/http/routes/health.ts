import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../env.ts';

const CHECK_TIMEOUT_MS = 1500;

/**
 * /healthz: the process is up. /readyz: the database and Redis answer (503 with what failed otherwise), and the
 * process is not shutting down (503 `draining` from SIGTERM on, while in-flight work finishes).
 */
export function healthRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (deps.lifecycle.draining) return c.json({ status: 'draining' }, 503);
    const [database, redis] = await Promise.all([
      check(() => deps.database.ping()),
      check(async () => void (await deps.redis.ping())),
    ]);
    const ready = database === 'ok' && redis === 'ok';
    return c.json({ status: ready ? 'ready' : 'unavailable', checks: { database, redis } }, ready ? 200 : 503);
  });
  return app;
}

async function check(fn: () => Promise<void>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS))),
    ]);
    return 'ok';
  } catch (err) {
    return `error: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
