import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { Metrics } from '../../metrics/metrics.ts';
import type { AppEnv } from '../env.ts';

// Counts and times every answered request by its route *pattern* (`/chat/sessions/:id/send`), never the raw path:
// ids in a label would make one time series per session. Mounted first, so the time includes every middleware.

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function httpMetrics(metrics: Pick<Metrics, 'httpRequests' | 'httpDuration'>) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    const labels = { method: METHODS.has(c.req.method) ? c.req.method : 'OTHER', route: routeLabel(c), status: String(c.res.status) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
  });
}

const isWildcard = (path: string) => path.endsWith('*');

/**
 * The pattern of the route that answered. Middleware is mounted on wildcards (`*`, `/chat/*`): when one of them
 * answered (a 401 from auth), the label is the route the request was meant for, matched after it. A request no
 * route matched is `unmatched`.
 */
function routeLabel(c: Context): string {
  const routes = matchedRoutes(c);
  const answered = routes[c.req.routeIndex]?.path;
  if (answered !== undefined && !isWildcard(answered)) return answered;
  const meant = routes.find((r) => !isWildcard(r.path))?.path;
  if (meant !== undefined) return meant;
  return answered === undefined || answered === '*' || answered === '/*' ? 'unmatched' : answered;
}
