import { and, eq, isNotNull, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { channels, sessions } from '../../db/schema/index.ts';
import type { Logger } from '../../logger.ts';
import type { Queues } from '../../queue/queues.ts';
import { type Periodic, runEvery } from './periodic.ts';

// State-driven work that needs no trigger of its own: sessions waiting for an agent are routed again (so one is
// assigned as soon as someone frees up, whatever freed them), closed sessions without insights get their
// summary (however they were closed: API, agent, AI, timer), and AI-handled sessions quiet since the AI's reply
// for longer than the inactivity timeout get their close job. The turn adds that job with a delay after its
// commit; the sweep is what makes the timer survive Redis being down at that moment. Job ids dedupe what is
// already queued.

const BATCH = 200;

/** The session's latest public message (what an inactivity close waits on), as a correlated subquery. */
const lastPublic = (column: 'id' | 'sender') =>
  sql.raw(`(select m.${column} from messages m where m.session_id = "sessions"."id" and m.event_type = 'message' and m.private = false order by m.seq desc limit 1)`);

export async function sweepOnce(db: Db, queues: Queues, inactivityMs: number): Promise<{ route: number; close: number; inactive: number }> {
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
  const quiet = await db
    .select({ id: sessions.id, orgId: sessions.orgId, channel: channels.type, lastId: sql<string>`${lastPublic('id')}` })
    .from(sessions)
    .innerJoin(channels, eq(channels.id, sessions.channelId))
    .where(
      and(
        eq(sessions.status, 'open'),
        eq(sessions.handledBy, 'ai'),
        lt(sessions.lastMessageAt, new Date(Date.now() - inactivityMs)),
        sql`${lastPublic('sender')} = 'ai'`,
      ),
    )
    .limit(BATCH);
  for (const s of quiet) {
    // The same job id as the turn's delayed job: whichever is added first runs, once.
    const data = { orgId: s.orgId, sessionId: s.id, reason: 'inactivity' as const, afterMessageId: s.lastId };
    await queues.close.add(s.channel, data, { jobId: `inactive-${s.lastId}` });
  }
  return { route: waiting.length, close: unsummarized.length, inactive: quiet.length };
}

export function startSweeper(db: Db, queues: Queues, logger: Logger, opts: { intervalMs: number; inactivityMs: number }): Periodic {
  return runEvery(opts.intervalMs, logger, 'sweep', async () => {
    const n = await sweepOnce(db, queues, opts.inactivityMs);
    return n.route + n.close + n.inactive;
  });
}
