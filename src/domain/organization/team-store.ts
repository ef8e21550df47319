import { type SQL, and, asc, count, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { keysetPage, type TimeIdCursor, timeIdKeyset } from '../../db/keyset.ts';
import { agents, sessions, teamMembers, teams } from '../../db/schema/index.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { type BusinessHours, isOpen } from '../handling/business-hours.ts';
import type { RoutingStrategy } from '../model/enums.ts';
import { getAgent } from './agent-store.ts';

// The teams admin API: a team is a routing queue with a strategy, optional business hours and member agents.

export type TeamRow = typeof teams.$inferSelect;
/** The list's order: oldest first. */
const byCreated = timeIdKeyset(teams.createdAt, teams.id, 'asc');

export interface NewTeam {
  name: string;
  description?: string | null | undefined;
  strategy?: RoutingStrategy | undefined;
  /** null: always open. */
  businessHours?: BusinessHours | null | undefined;
}
export type TeamPatch = Partial<NewTeam>;

const scoped = (orgId: string, id?: string): SQL => and(eq(teams.orgId, orgId), id ? eq(teams.id, id) : undefined)!;

/** The API's Team for a page of rows, with members (one batched query) and whether it is open right now. */
export async function teamViews(db: Db, orgId: string, rows: TeamRow[], now = new Date()) {
  const ids = rows.map((r) => r.id);
  const members = ids.length
    ? await db
        .select({ teamId: teamMembers.teamId, id: agents.id, number: agents.number, name: agents.name, availability: agents.availability })
        .from(teamMembers)
        .innerJoin(agents, eq(agents.id, teamMembers.agentId))
        .where(and(eq(teamMembers.orgId, orgId), inArray(teamMembers.teamId, ids)))
        .orderBy(asc(agents.number))
    : [];
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    strategy: row.strategy,
    business_hours: row.businessHours ?? null,
    open_now: isOpen(row.businessHours ?? null, now),
    members: members.filter((m) => m.teamId === row.id).map(({ teamId: _, ...m }) => m),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  }));
}

export async function teamView(db: Db, orgId: string, row: TeamRow) {
  return (await teamViews(db, orgId, [row]))[0]!;
}

export async function createTeam(db: Db, orgId: string, input: NewTeam): Promise<TeamRow> {
  const [row] = await db
    .insert(teams)
    .values({
      orgId,
      name: input.name,
      description: input.description ?? null,
      businessHours: input.businessHours ?? null,
      ...(input.strategy ? { strategy: input.strategy } : {}),
    })
    .returning();
  return row!;
}

export async function getTeam(db: Db, orgId: string, id: string): Promise<TeamRow> {
  const [row] = await db.select().from(teams).where(scoped(orgId, id));
  if (!row) throw new NotFoundError('Team');
  return row;
}

export async function listTeams(db: Db, orgId: string, limit: number, after?: TimeIdCursor) {
  const rows = await db
    .select({ team: teams, sortKey: byCreated.sortKey })
    .from(teams)
    .where(and(scoped(orgId), byCreated.after(after)))
    .orderBy(...byCreated.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, (last): TimeIdCursor => [last.sortKey, last.team.id]);
  return { items: page.rows.map((r) => r.team), next: page.next };
}

export async function patchTeam(db: Db, orgId: string, id: string, patch: TeamPatch): Promise<TeamRow> {
  const [row] = await db
    .update(teams)
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.strategy !== undefined ? { strategy: patch.strategy } : {}),
      ...(patch.businessHours !== undefined ? { businessHours: patch.businessHours } : {}),
      updatedAt: new Date(),
    })
    .where(scoped(orgId, id))
    .returning();
  if (!row) throw new NotFoundError('Team');
  return row;
}

/**
 * Deletes a team and its memberships. Open sessions still filed under it are a 409: deleting would strand them in
 * a queue nobody serves, so they are moved first (PATCH /chat/sessions team_id), which their history records.
 */
export async function deleteTeam(db: Db, orgId: string, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.select({ id: teams.id }).from(teams).where(scoped(orgId, id)).for('update');
    if (!row) throw new NotFoundError('Team');
    const [open] = await tx
      .select({ n: count() })
      .from(sessions)
      .where(and(eq(sessions.orgId, orgId), eq(sessions.teamId, id), eq(sessions.status, 'open')));
    if ((open?.n ?? 0) > 0) throw new ConflictError(`This team has ${open!.n} open session(s): move or close them first`);
    await tx.delete(teams).where(scoped(orgId, id));
  });
}

/**
 * Adds an agent to a team; adding a member again changes nothing. `joined` says the agent is new to the team
 * and online: the caller then offers them the team's waiting sessions.
 */
export async function addMember(db: Db, orgId: string, teamId: string, agentId: string) {
  const team = await getTeam(db, orgId, teamId);
  const agent = await getAgent(db, orgId, agentId);
  const added = await db.insert(teamMembers).values({ orgId, teamId, agentId }).onConflictDoNothing().returning();
  return { team, joined: added.length > 0 && agent.availability === 'online' };
}

export async function removeMember(db: Db, orgId: string, teamId: string, agentId: string): Promise<TeamRow> {
  const team = await getTeam(db, orgId, teamId);
  const gone = await db
    .delete(teamMembers)
    .where(and(eq(teamMembers.orgId, orgId), eq(teamMembers.teamId, teamId), eq(teamMembers.agentId, agentId)))
    .returning({ agentId: teamMembers.agentId });
  if (gone.length === 0) throw new NotFoundError('Team member');
  return team;
}
