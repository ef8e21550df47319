import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { channels, messages, sessions, teams } from '../../db/schema/index.ts';
import { csatFigures } from '../../domain/csat/csat-queries.ts';

// The console dashboard's numbers, in SQL over sessions and messages. "The window" is the sessions created
// since midnight UTC `days - 1` days ago; `open_by_team` and `totals.open` are the open sessions right now.

export interface Percentiles {
  p50: number | null;
  p90: number | null;
}

export interface DashboardStats {
  sessions_per_channel_per_day: Array<{ day: string; channel: string; count: number }>;
  /** Window sessions resolved with no human involved, resolved by (or after handoff to) a human, and the rest. */
  resolved_by: { ai: number; human: number; unresolved: number };
  /** From a session's first customer message to the first reply after it (AI or agent; notes do not count). */
  first_response_seconds: Percentiles;
  /** From creation to close, of the window's resolved sessions. */
  resolution_seconds: Percentiles;
  open_by_team: Array<{ team: string | null; count: number }>;
  /** Ratings answered in the window (src/domain/csat): their average, how many, and per day (UTC). */
  csat: { average: number | null; count: number; trend: Array<{ day: string; average: number; count: number }> };
  totals: { sessions: number; open: number; resolved: number };
}

const int = (expr: ReturnType<typeof sql>) => sql<number>`(${expr})::int`.mapWith(Number);
/** Seconds, whole, or null for an empty set (percentile_cont of nothing). */
const percentile = (p: number, seconds: unknown, where: unknown = sql`true`) =>
  sql<number | null>`round(percentile_cont(${sql.raw(String(p))}) within group (order by ${seconds}) filter (where ${where}))`.mapWith(Number);

export function windowStart(days: number, now: Date): Date {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(midnight - (days - 1) * 86_400_000);
}

export async function dashboardStats(db: Db, orgId: string, days: number, now = new Date()): Promise<DashboardStats> {
  const since = windowStart(days, now);
  const inWindow = and(eq(sessions.orgId, orgId), gte(sessions.createdAt, since));
  const resolved = sql`${sessions.status} = 'closed_resolved'`;
  const day = sql<string>`to_char(${sessions.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;

  const perDay = db
    .select({ day, channel: channels.type, count: int(sql`count(*)`) })
    .from(sessions)
    .innerJoin(channels, eq(channels.id, sessions.channelId))
    .where(inWindow)
    .groupBy(day, channels.type)
    .orderBy(day, channels.type);

  const closed = sql`${resolved} and ${sessions.closedAt} is not null`;
  const resolutionSeconds = sql`extract(epoch from ${sessions.closedAt} - ${sessions.createdAt})`;
  const totals = db
    .select({
      sessions: int(sql`count(*)`),
      resolved: int(sql`count(*) filter (where ${resolved})`),
      ai: int(sql`count(*) filter (where ${resolved} and ${sessions.handledBy} = 'ai')`),
      human: int(sql`count(*) filter (where ${resolved} and ${sessions.handledBy} = 'human')`),
      resolutionP50: percentile(0.5, resolutionSeconds, closed),
      resolutionP90: percentile(0.9, resolutionSeconds, closed),
    })
    .from(sessions)
    .where(inWindow);

  const openByTeam = db
    .select({ team: teams.name, count: int(sql`count(*)`) })
    .from(sessions)
    .leftJoin(teams, eq(teams.id, sessions.teamId))
    .where(and(eq(sessions.orgId, orgId), eq(sessions.status, 'open')))
    .groupBy(teams.id, teams.name)
    .orderBy(desc(sql`count(*)`), teams.name);

  const [days_, [t], open, firstResponse, csat] = await Promise.all([
    perDay,
    totals,
    openByTeam,
    firstResponses(db, orgId, since),
    csatFigures(db, orgId, since),
  ]);
  const openCount = open.reduce((n, r) => n + r.count, 0);
  return {
    sessions_per_channel_per_day: days_,
    resolved_by: { ai: t?.ai ?? 0, human: t?.human ?? 0, unresolved: (t?.sessions ?? 0) - (t?.resolved ?? 0) },
    first_response_seconds: firstResponse,
    resolution_seconds: { p50: t?.resolutionP50 ?? null, p90: t?.resolutionP90 ?? null },
    open_by_team: open,
    csat,
    totals: { sessions: t?.sessions ?? 0, open: openCount, resolved: t?.resolved ?? 0 },
  };
}

async function firstResponses(db: Db, orgId: string, since: Date): Promise<Percentiles> {
  const firstAsk = db
    .select({ sessionId: messages.sessionId, askedAt: sql<Date>`min(${messages.createdAt})`.as('asked_at') })
    .from(messages)
    .innerJoin(sessions, eq(sessions.id, messages.sessionId))
    .where(and(eq(sessions.orgId, orgId), gte(sessions.createdAt, since), eq(messages.sender, 'contact'), eq(messages.eventType, 'message')))
    .groupBy(messages.sessionId)
    .as('first_ask');
  const waits = db
    .select({ seconds: sql<number>`extract(epoch from min(${messages.createdAt}) - ${firstAsk.askedAt})`.as('seconds') })
    .from(firstAsk)
    .innerJoin(
      messages,
      and(
        eq(messages.sessionId, firstAsk.sessionId),
        inArray(messages.sender, ['ai', 'agent']),
        eq(messages.private, false),
        eq(messages.eventType, 'message'),
        gte(messages.createdAt, firstAsk.askedAt),
      ),
    )
    .groupBy(firstAsk.sessionId, firstAsk.askedAt)
    .as('waits');
  const [row] = await db.select({ p50: percentile(0.5, waits.seconds), p90: percentile(0.9, waits.seconds) }).from(waits);
  return { p50: row?.p50 ?? null, p90: row?.p90 ?? null };
}
