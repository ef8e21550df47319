import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { ValidationError } from '../../errors.ts';
import type { AppEnv } from '../../http/env.ts';
import { zodDetails } from '../../http/errors.ts';
import { newRouter } from '../../http/router.ts';
import { dashboardStats } from './dashboard-queries.ts';

// GET /console/api/dashboard?days=14: the org's numbers for the console's dashboard (agents and admins).

const Query = z.strictObject({ days: z.coerce.number().int().min(1).max(90).default(14) });

export function consoleDashboardRoutes(deps: Deps, members: MiddlewareHandler<AppEnv>) {
  const app = newRouter();
  app.get('/console/api/dashboard', members, async (c) => {
    const query = Query.safeParse(c.req.query());
    if (!query.success) throw new ValidationError('Validation failed', zodDetails(query.error));
    return c.json(await dashboardStats(deps.db, c.get('auth').orgId, query.data.days), 200);
  });
  return app;
}
