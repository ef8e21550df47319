import { and, eq, isNotNull, isNull, ne } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { channels, sessions } from '../db/schema/index.ts';
import type { Logger } from '../logger.ts';
import type { Queues } from '../queue/queues.ts';
import { type Periodic, runEvery } from './periodic.ts';

// State-driven work that needs no trigger of its own: sessions waiting for an agent are routed again (so one is
// assigned as soon as someone frees up, whatever freed them), and closed sessions without insights get their
// summary (however they were closed: API, agent, AI, timer). Job ids dedupe what is already queued.

const BATCH = 200;

export async function sweepOnce(db: Db, queues: Queues): Promise<{ route: number; close: number }> {
  const waiting = await db
    .select({ id: sessions.id, orgId: sessions.orgId, channel: channels.type })
    .from(sessions)
    .innerJoin(channels, eq(channels.id, sessions.channelId))
    .where(and(eq(sessions.status, 'open'), eq(sessions.handedOff, true), isNull(sessions.assigneeId)))
    .limit(BATCH);
  for (const s of waiting) {
    await queues.route.add(s.channel, { orgId: s.orgId, sessionId: s.id }, { jobId: `route-${s.id}`, removeOnComplete: true });
  }
  const unsummarized = await db
    .select({ id: sessions.id, orgId: sessions.orgId, channel: channels.type, closedAt: sessions.closedAt })
    .from(sessions)
    .innerJoin(channels, eq(channels.id, sessions.channelId))
    .where(and(ne(sessions.status, 'open'), isNotNull(sessions.closedAt), isNull(sessions.insights)))
    .limit(BATCH);
  for (const s of unsummarized) {
    const jobId = `close-${s.id}-${s.closedAt!.getTime()}`;
    await queues.close.add(s.channel, { orgId: s.orgId, sessionId: s.id, reason: 'closed' }, { jobId });
  }
  return { route: waiting.length, close: unsummarized.length };
}

export function startSweeper(db: Db, queues: Queues, logger: Logger, intervalMs: number): Periodic {
  return runEvery(intervalMs, logger, 'sweep', async () => {
    const n = await sweepOnce(db, queues);
    return n.route + n.close;
  });
}
