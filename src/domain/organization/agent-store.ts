import { and, asc, count, eq, gt, inArray, isNull } from 'drizzle-orm';
import { hashPassword } from '../../crypto/password.ts';
import type { Db, Tx } from '../../db/client.ts';
import { keysetPage } from '../../db/keyset.ts';
import { agents, apiKeys, sessions, teamMembers, teams } from '../../db/schema/index.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { AgentRole, Availability } from '../model/enums.ts';
import { insertApiKey } from './organizations.ts';
import { assertAcceptablePassword } from './password-policy.ts';
import { lockRouting } from '../handling/routing.ts';

// The agents admin API: rows in, views out, every query scoped by org id. Passwords (for the console) are
// stored only as scrypt hashes and never leave this module.

export type AgentRow = typeof agents.$inferSelect;

export interface NewAgent {
  name: string;
  email: string;
  role?: AgentRole | undefined;
  password?: string | undefined;
  availability?: Availability | undefined;
  capacity?: number | undefined;
  avatarUrl?: string | null | undefined;
  phoneNumber?: string | null | undefined;
}

export type AgentPatch = Partial<Omit<NewAgent, 'password'>> & { password?: string | null | undefined };

/** The hash to store for a password being set (refused with a 400 saying why when the policy says no). */
async function hashNewPassword(password: string): Promise<string> {
  assertAcceptablePassword(password);
  return hashPassword(password);
}

/** A duplicate email (the unique index is on lower(email)) is the caller's mistake: 409, with a clear message. */
function emailTaken(err: unknown): never {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '23505') throw new ConflictError('Another agent of this organization already has this email');
  }
  throw err;
}

const scoped = (orgId: string, id: string) => and(eq(agents.orgId, orgId), eq(agents.id, id));

/** The API's Agent, for a page of rows: their teams and open-session counts come from two batched queries. */
export async function agentViews(db: Db, orgId: string, rows: AgentRow[]) {
  const ids = rows.map((r) => r.id);
  const memberships = ids.length
    ? await db
        .select({ agentId: teamMembers.agentId, id: teams.id, name: teams.name })
        .from(teamMembers)
        .innerJoin(teams, eq(teams.id, teamMembers.teamId))
        .where(and(eq(teamMembers.orgId, orgId), inArray(teamMembers.agentId, ids)))
        .orderBy(asc(teams.name), asc(teams.id))
    : [];
  const loads = ids.length
    ? await db
        .select({ agentId: sessions.assigneeId, n: count() })
        .from(sessions)
        .where(and(eq(sessions.orgId, orgId), eq(sessions.status, 'open'), inArray(sessions.assigneeId, ids)))
        .groupBy(sessions.assigneeId)
    : [];
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    name: row.name,
    email: row.email,
    role: row.role,
    avatar_url: row.avatarUrl,
    phone_number: row.phoneNumber,
    availability: row.availability,
    capacity: row.capacity,
    password_set: row.passwordHash !== null,
    teams: memberships.filter((m) => m.agentId === row.id).map(({ id, name }) => ({ id, name })),
    open_sessions: loads.find((l) => l.agentId === row.id)?.n ?? 0,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  }));
}

export async function agentView(db: Db, orgId: string, row: AgentRow) {
  return (await agentViews(db, orgId, [row]))[0]!;
}

/** A new agent; with `withApiKey`, also an agent API key acting as them, returned here once (only its hash is kept). */
export async function createAgent(db: Db, orgId: string, input: NewAgent, withApiKey = false) {
  const passwordHash = input.password !== undefined ? await hashNewPassword(input.password) : null;
  return db
    .transaction(async (tx) => {
      const [row] = await tx
        .insert(agents)
        .values({
          orgId,
          name: input.name,
          email: input.email,
          passwordHash,
          ...(input.role ? { role: input.role } : {}),
          ...(input.availability ? { availability: input.availability } : {}),
          ...(input.capacity !== undefined ? { capacity: input.capacity } : {}),
          ...(input.avatarUrl !== undefined ? { avatarUrl: input.avatarUrl } : {}),
          ...(input.phoneNumber !== undefined ? { phoneNumber: input.phoneNumber } : {}),
        })
        .returning();
      const apiKey = withApiKey ? (await insertApiKey(tx, orgId, 'agent', `Agent ${input.name}`, undefined, row!.id)).key : null;
      return { row: row!, apiKey };
    })
    .catch(emailTaken);
}

export async function getAgent(db: Db | Tx, orgId: string, id: string): Promise<AgentRow> {
  const [row] = await db.select().from(agents).where(scoped(orgId, id));
  if (!row) throw new NotFoundError('Agent');
  return row;
}

export interface AgentFilter {
  availability?: Availability | undefined;
  teamId?: string | undefined;
}

/** Agents by number (their creation order); the cursor is the last number seen. */
export async function listAgents(db: Db, orgId: string, filter: AgentFilter, limit: number, after?: [number: number]) {
  const rows = await db
    .select()
    .from(agents)
    .where(
      and(
        eq(agents.orgId, orgId),
        filter.availability ? eq(agents.availability, filter.availability) : undefined,
        filter.teamId
          ? inArray(agents.id, db.select({ id: teamMembers.agentId }).from(teamMembers).where(eq(teamMembers.teamId, filter.teamId)))
          : undefined,
        after ? gt(agents.number, after[0]) : undefined,
      ),
    )
    .orderBy(asc(agents.number))
    .limit(limit + 1);
  const page = keysetPage(rows, limit, (last): [number: number] => [last.number]);
  return { items: page.rows, next: page.next };
}

/**
 * Applies a patch. `gainedRoom` says the agent can now take sessions it could not before (came online, or more
 * capacity while online): the caller then offers them the waiting sessions (routing.ts waitingSessionsFor).
 */
export async function patchAgent(db: Db, orgId: string, id: string, patch: AgentPatch) {
  const passwordHash = typeof patch.password === 'string' ? await hashNewPassword(patch.password) : patch.password;
  return db
    .transaction(async (tx) => {
      // Locked: concurrent patches apply one after the other, so `gainedRoom` compares with the true prior state.
      const [before] = await tx.select().from(agents).where(scoped(orgId, id)).for('update');
      if (!before) throw new NotFoundError('Agent');
      const [row] = await tx
        .update(agents)
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.email !== undefined ? { email: patch.email } : {}),
          ...(patch.role !== undefined ? { role: patch.role } : {}),
          ...(passwordHash !== undefined ? { passwordHash } : {}),
          ...(patch.availability !== undefined ? { availability: patch.availability } : {}),
          ...(patch.capacity !== undefined ? { capacity: patch.capacity } : {}),
          ...(patch.avatarUrl !== undefined ? { avatarUrl: patch.avatarUrl } : {}),
          ...(patch.phoneNumber !== undefined ? { phoneNumber: patch.phoneNumber } : {}),
          updatedAt: new Date(),
        })
        .where(eq(agents.id, before.id))
        .returning();
      const online = row!.availability === 'online';
      const gainedRoom = online && (before.availability !== 'online' || row!.capacity > before.capacity);
      return { row: row!, gainedRoom };
    })
    .catch(emailTaken);
}

/**
 * Deletes an agent (their team memberships go with them) and revokes their API keys; returns the revoked key
 * ids so the caller can drop them from the auth cache. An agent who still owns open sessions is a 409: they must
 * be reassigned first, through PATCH /chat/sessions, which records the transition in each session's history.
 */
export async function deleteAgent(db: Db, orgId: string, id: string): Promise<{ revokedKeyIds: string[] }> {
  return db.transaction(async (tx) => {
    // No router may hand this agent a session between the check below and the delete.
    await lockRouting(tx, orgId);
    await getAgent(tx, orgId, id);
    const [open] = await tx
      .select({ n: count() })
      .from(sessions)
      .where(and(eq(sessions.orgId, orgId), eq(sessions.assigneeId, id), eq(sessions.status, 'open')));
    if ((open?.n ?? 0) > 0) {
      throw new ConflictError(`This agent has ${open!.n} open session(s): reassign or close them first`);
    }
    const revoked = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.agentId, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    await tx.delete(agents).where(scoped(orgId, id));
    return { revokedKeyIds: revoked.map((k) => k.id) };
  });
}
