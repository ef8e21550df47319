import { type SQL, and, asc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { type PgColumn, alias } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../../db/client.ts';
import { agents, channels, sessions, teamMembers, teams } from '../../db/schema/index.ts';
import type { ChannelKind, RoutingStrategy } from '../model/enums.ts';
import { isOpen } from './business-hours.ts';

// Human routing: which agent gets a handed-off session, and which sessions wait for whom.
// A session "waits" when it is open, handed off to humans and has no assignee; its team (or none: anyone in the
// organization) is its queue.

export interface PickedAgent {
  agentId: string;
  agentNumber: number;
}

/** An agent's load: the open sessions assigned to them (correlated with the agents row of the outer query). */
const openLoad = sql<number>`(select count(*)::int from ${sessions} where ${sessions.orgId} = ${agents.orgId}
  and ${sessions.assigneeId} = ${agents.id} and ${sessions.status} = 'open')`.mapWith(Number);

/**
 * One routing at a time per organization, until the transaction ends. The team row lock alone would not do: an
 * agent may sit in several teams, and routing without a team has no row to lock. By the time the lock passes on,
 * the assignment has committed and the next router sees it (read committed: each statement sees prior commits).
 * Deleting an agent takes it too, so no session is routed to an agent being deleted.
 */
export async function lockRouting(tx: Tx, orgId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`switchboard-route:${orgId}`}, 0))`);
}

/**
 * The agent to assign next, or null (nobody online with room, or the team is closed or gone). Candidates: the
 * team's members — with no team, every agent of the organization — who are online and below their capacity.
 * round_robin takes the next number after the team's last assignee (wrapping) and records it; least_busy (also
 * used with no team) takes the fewest open sessions, ties by number.
 *
 * Call it inside the transaction that then assigns the session, and keep that transaction short: its locks
 * are what keep two concurrent routings from both filling an agent's last free slot.
 */
export async function pickAgent(tx: Tx, orgId: string, teamId: string | null, now: Date): Promise<PickedAgent | null> {
  await lockRouting(tx, orgId);

  let strategy: RoutingStrategy = 'least_busy';
  let lastNumber: number | null = null;
  let members: SQL | undefined;
  if (teamId !== null) {
    // Locked too: a concurrent PATCH /teams must not change the strategy or hours mid-pick, nor race the cursor.
    const [team] = await tx
      .select()
      .from(teams)
      .where(and(eq(teams.orgId, orgId), eq(teams.id, teamId)))
      .for('update');
    if (!team || !isOpen(team.businessHours ?? null, now)) return null;
    strategy = team.strategy;
    lastNumber = team.lastAssignedNumber;
    members = inArray(agents.id, tx.select({ id: teamMembers.agentId }).from(teamMembers).where(eq(teamMembers.teamId, teamId)));
  }

  const order =
    strategy === 'round_robin'
      ? // false sorts first: numbers after the last assignee, then (wrapping) from the lowest.
        [sql`${agents.number} <= ${lastNumber ?? -1}`, asc(agents.number)]
      : [asc(openLoad), asc(agents.number)];
  const [picked] = await tx
    .select({ agentId: agents.id, agentNumber: agents.number })
    .from(agents)
    .where(and(eq(agents.orgId, orgId), eq(agents.availability, 'online'), sql`${openLoad} < ${agents.capacity}`, members))
    .orderBy(...order)
    .limit(1);
  if (!picked) return null;
  if (teamId !== null && strategy === 'round_robin') {
    await tx.update(teams).set({ lastAssignedNumber: picked.agentNumber }).where(eq(teams.id, teamId));
  }
  return picked;
}

/** The sessions table or an alias of it. */
type SessionCols = Record<'orgId' | 'status' | 'handedOff' | 'assigneeId', PgColumn>;
/** Open, handed off, unassigned: the sessions waiting for a human. */
const waiting = (orgId: string, s: SessionCols = sessions): SQL =>
  and(eq(s.orgId, orgId), eq(s.status, 'open'), eq(s.handedOff, true), isNull(s.assigneeId))!;

/** A session waiting for an agent; `channel` is the route job's name (jobs are named by channel kind). */
export interface WaitingSession {
  sessionId: string;
  channel: ChannelKind;
}

/**
 * Sessions an agent could take now, oldest first: waiting in one of the agent's teams, or in no team. The route
 * worker offers them (a route job each) when the agent comes online or gains room; pickAgent decides.
 */
export async function waitingSessionsFor(db: Db | Tx, orgId: string, agentId: string, limit = 100): Promise<WaitingSession[]> {
  const agentTeams = db.select({ id: teamMembers.teamId }).from(teamMembers).where(eq(teamMembers.agentId, agentId));
  return db
    .select({ sessionId: sessions.id, channel: channels.type })
    .from(sessions)
    .innerJoin(channels, eq(channels.id, sessions.channelId))
    .where(and(waiting(orgId), or(isNull(sessions.teamId), inArray(sessions.teamId, agentTeams))))
    .orderBy(asc(sessions.createdAt), asc(sessions.id))
    .limit(limit);
}

/** 1-based position of a waiting session in its queue (same team, or both without one); null if not waiting. */
export async function queuePosition(db: Db | Tx, orgId: string, sessionId: string): Promise<number | null> {
  const target = alias(sessions, 'target');
  // One statement, compared in SQL: created_at keeps microseconds there, which a JS Date would drop.
  const [row] = await db
    .select({ n: sql<number>`count(*)::int`.mapWith(Number) })
    .from(sessions)
    .innerJoin(target, and(eq(target.id, sessionId), waiting(orgId, target)))
    .where(
      and(
        waiting(orgId),
        sql`${sessions.teamId} is not distinct from ${target.teamId}`,
        sql`(${sessions.createdAt}, ${sessions.id}) <= (${target.createdAt}, ${target.id})`,
      ),
    );
  return row?.n ? row.n : null;
}
