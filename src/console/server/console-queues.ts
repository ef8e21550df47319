import { and, eq, gte, min, sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { messages } from '../../db/schema/index.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import type { AppEnv } from '../../http/env.ts';
import { newRouter } from '../../http/router.ts';

// GET /console/api/queues (admins): is work flowing? The organization's own backlog from the database (customer
// messages waiting for their turn, replies waiting to go out, replies that failed today) and the job counts of
// the installation's queues in Redis. A growing backlog with idle queues means the relay or the workers are down.

const DAY_MS = 24 * 3600 * 1000;

export function consoleQueueRoutes(deps: Deps, admins: MiddlewareHandler<AppEnv>) {
  const app = newRouter();
  app.get('/console/api/queues', admins, async (c) => {
    const orgId = c.get('auth').orgId;
    const [turns] = await deps.db
      .select({ count: sql<number>`count(*)::int`, oldest: min(messages.createdAt) })
      .from(messages)
      .where(and(eq(messages.orgId, orgId), eq(messages.turnState, 'pending')));
    const [replies] = await deps.db
      .select({ count: sql<number>`count(*)::int`, oldest: min(messages.createdAt) })
      .from(messages)
      .where(and(eq(messages.orgId, orgId), eq(messages.deliveryStatus, 'queued'), eq(messages.private, false)));
    const [failed] = await deps.db
      .select({ count: sql<number>`count(*)::int` })
      .from(messages)
      .where(and(eq(messages.orgId, orgId), eq(messages.deliveryStatus, 'failed'), gte(messages.createdAt, new Date(Date.now() - DAY_MS))));
    const queues = await jobCounts(deps);
    return c.json(
      {
        backlog: {
          pending_turns: { count: turns?.count ?? 0, oldest_at: turns?.oldest?.toISOString() ?? null },
          queued_replies: { count: replies?.count ?? 0, oldest_at: replies?.oldest?.toISOString() ?? null },
          failed_replies_24h: failed?.count ?? 0,
        },
        queues,
      },
      200,
    );
  });
  return app;
}

async function jobCounts(deps: Deps) {
  try {
    return await Promise.all(
      Object.entries(deps.queues).map(async ([name, queue]) => ({
        name,
        ...(await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')),
      })),
    );
  } catch (err) {
    throw new AppError('SERVICE_UNAVAILABLE', 'Redis, which holds the job queues, is not answering', undefined, { cause: err });
  }
}
