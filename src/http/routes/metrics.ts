import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import { UnauthorizedError } from '../../errors.ts';
import type { AppEnv } from '../env.ts';
import { sameSecret } from '../middleware/auth.ts';

// GET /metrics: this process's Prometheus metrics in the text format. Not behind API keys (a scraper belongs to
// no organization, and the numbers are the whole deployment's): open like /healthz unless METRICS_TOKEN is set,
// then `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time.

export function metricsRoutes(deps: Pick<Deps, 'config' | 'metrics'>) {
  const app = new Hono<AppEnv>();
  const token = deps.config.metricsToken;
  app.get('/metrics', async (c) => {
    if (token !== undefined) {
      const presented = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (!sameSecret(presented, token)) throw new UnauthorizedError('Missing or invalid metrics token: send Authorization: Bearer <METRICS_TOKEN>');
    }
    const { registry } = deps.metrics;
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
  });
  return app;
}
