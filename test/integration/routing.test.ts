import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agents, channels, contacts, sessions, teamMembers, teams } from '../../src/db/schema/index.ts';
import type { BusinessHours } from '../../src/domain/handling/business-hours.ts';
import type { Availability, RoutingStrategy } from '../../src/domain/model/enums.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { pickAgent, queuePosition, waitingSessionsFor } from '../../src/domain/handling/routing.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// pickAgent on a fresh database (PGlite, or a real PostgreSQL 15 with DATABASE_URL): strategies, capacity,
// availability, business hours, and concurrent routings that must never fill an agent past capacity.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const db = () => t.deps.db;
const MONDAY_NOON = new Date('2024-01-08T12:00:00Z');
const SUNDAY_NOON = new Date('2024-01-07T12:00:00Z');
const weekdays: BusinessHours = { timezone: 'UTC', days: { '1': [['09:00', '17:00']], '2': [['09:00', '17:00']] } };

// Each test starts with no agents, teams or sessions assigned.
beforeEach(async () => {
  await db().update(sessions).set({ status: 'closed_resolved', assigneeId: null }).where(eq(sessions.orgId, t.orgId));
  await db().delete(agents).where(eq(agents.orgId, t.orgId));
  await db().delete(teams).where(eq(teams.orgId, t.orgId));
});

let seq = 0;
async function agent(name: string, opts: { availability?: Availability; capacity?: number; orgId?: string } = {}) {
  const [row] = await db()
    .insert(agents)
    .values({ orgId: opts.orgId ?? t.orgId, name, email: `${name}-${++seq}@example.com`, availability: opts.availability ?? 'online', capacity: opts.capacity ?? 10 })
    .returning();
  return row!;
}

async function team(strategy: RoutingStrategy, members: Array<{ id: string }>, businessHours: BusinessHours | null = null) {
  const [row] = await db().insert(teams).values({ orgId: t.orgId, name: `Team ${++seq}`, strategy, businessHours }).returning();
  for (const m of members) await db().insert(teamMembers).values({ orgId: t.orgId, teamId: row!.id, agentId: m.id });
  return row!;
}

let ticket = 0;
/** A new open session handed off to humans in `teamId`'s queue, unassigned. Inserted directly: this file tests
 * routing alone, not the sessions API. */
async function waitingSession(teamId: string | null): Promise<string> {
  const [channel] = await db().select({ id: channels.id }).from(channels).where(and(eq(channels.orgId, t.orgId), eq(channels.type, 'api'))).limit(1);
  const [contact] = await db().insert(contacts).values({ orgId: t.orgId }).returning({ id: contacts.id });
  const [row] = await db()
    .insert(sessions)
    .values({ orgId: t.orgId, channelId: channel!.id, contactId: contact!.id, ticketNumber: ++ticket, handedOff: true, handledBy: 'human', teamId })
    .returning({ id: sessions.id });
  return row!.id;
}

/** What the route worker does: pick and assign in one transaction. Returns the assignee's name, or null. */
async function route(teamId: string | null, now = MONDAY_NOON): Promise<string | null> {
  const sessionId = await waitingSession(teamId);
  return db().transaction(async (tx) => {
    const picked = await pickAgent(tx, t.orgId, teamId, now);
    if (!picked) return null;
    await tx.update(sessions).set({ assigneeId: picked.agentId }).where(eq(sessions.id, sessionId));
    const [row] = await tx.select({ name: agents.name, number: agents.number }).from(agents).where(eq(agents.id, picked.agentId));
    expect(row!.number).toBe(picked.agentNumber);
    return row!.name;
  });
}

async function openLoad(agentId: string): Promise<number> {
  const [row] = await db()
    .select({ n: count() })
    .from(sessions)
    .where(and(eq(sessions.assigneeId, agentId), eq(sessions.status, 'open')));
  return row?.n ?? 0;
}

describe('round robin', () => {
  it('cycles A, B, C, A by agent number and records the position on the team', async () => {
    const [a, b, c] = [await agent('A'), await agent('B'), await agent('C')];
    const rr = await team('round_robin', [c, a, b]);
    const picks = [];
    for (let i = 0; i < 4; i++) picks.push(await route(rr.id));
    expect(picks).toEqual(['A', 'B', 'C', 'A']);
    const [row] = await db().select().from(teams).where(eq(teams.id, rr.id));
    expect(row!.lastAssignedNumber).toBe(a.number);
  });

  it('skips agents who are offline, away or full, and wraps around', async () => {
    const a = await agent('A');
    await agent('B', { availability: 'away' });
    const c = await agent('C', { capacity: 1 });
    const d = await agent('D', { availability: 'offline' });
    const rr = await team('round_robin', [a, c, d]);
    expect([await route(rr.id), await route(rr.id), await route(rr.id), await route(rr.id)]).toEqual(['A', 'C', 'A', 'A']);
  });

  it('only picks members of the team', async () => {
    await agent('Outsider');
    const m = await agent('Member');
    const rr = await team('round_robin', [m]);
    expect([await route(rr.id), await route(rr.id)]).toEqual(['Member', 'Member']);
  });
});

describe('least busy', () => {
  it('takes the agent with the fewest open sessions, ties by number; closed sessions do not count', async () => {
    const [a, b, c] = [await agent('A'), await agent('B'), await agent('C')];
    const lb = await team('least_busy', [a, b, c]);
    for (const [who, n] of [[a, 2], [c, 1]] as const) {
      for (let i = 0; i < n; i++) await db().update(sessions).set({ assigneeId: who.id }).where(eq(sessions.id, await waitingSession(lb.id)));
    }
    const closed = await waitingSession(lb.id);
    await db().update(sessions).set({ assigneeId: b.id, status: 'closed_resolved' }).where(eq(sessions.id, closed));
    // Loads A2 B0 C1 → B; A2 B1 C1 → B (tie with C, lower number); A2 B2 C1 → C; A2 B2 C2 → A.
    expect([await route(lb.id), await route(lb.id), await route(lb.id), await route(lb.id)]).toEqual(['B', 'B', 'C', 'A']);
  });

  it('is the strategy without a team, over every agent of the organization', async () => {
    const a = await agent('A');
    await agent('B');
    await db().update(sessions).set({ assigneeId: a.id }).where(eq(sessions.id, await waitingSession(null)));
    expect([await route(null), await route(null), await route(null)]).toEqual(['B', 'A', 'B']);
  });
});

describe('capacity, availability and hours', () => {
  it('never assigns past capacity and returns null when everyone is full', async () => {
    const [a, b] = [await agent('A', { capacity: 1 }), await agent('B', { capacity: 2 })];
    const rr = await team('round_robin', [a, b]);
    expect([await route(rr.id), await route(rr.id), await route(rr.id), await route(rr.id)]).toEqual(['A', 'B', 'B', null]);
    const zero = await agent('Z', { capacity: 0 });
    expect(await route((await team('least_busy', [zero])).id)).toBeNull();
  });

  it('returns null when nobody is online', async () => {
    const away = await agent('Away', { availability: 'away' });
    const off = await agent('Off', { availability: 'offline' });
    expect(await route((await team('least_busy', [away, off])).id)).toBeNull();
    expect(await route(null)).toBeNull();
  });

  it('returns null outside the team’s business hours, and routes inside them', async () => {
    const a = await agent('A');
    const office = await team('round_robin', [a], weekdays);
    expect(await route(office.id, SUNDAY_NOON)).toBeNull();
    expect(await route(office.id, new Date('2024-01-08T17:00:00Z'))).toBeNull();
    expect(await route(office.id, MONDAY_NOON)).toBe('A');
  });

  it('returns null for an unknown team or another organization’s team', async () => {
    const other = await createOrganization(t.deps, 'Other org');
    const [foreign] = await db().insert(teams).values({ orgId: other.id, name: 'Theirs' }).returning();
    await db().insert(agents).values({ orgId: other.id, name: 'Them', email: 'them@example.com', availability: 'online' });
    await agent('Ours');
    expect(await route(foreign!.id)).toBeNull();
    expect(await route('00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});

describe('concurrent routing', () => {
  it('never fills an agent past capacity, even when teams share agents', async () => {
    const [a, b, shared] = [await agent('A', { capacity: 2 }), await agent('B', { capacity: 2 }), await agent('S', { capacity: 2 })];
    const [t1, t2] = [await team('round_robin', [a, shared]), await team('least_busy', [b, shared])];
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => route(i % 3 === 2 ? null : i % 2 ? t1.id : t2.id)));
    for (const who of [a, b, shared]) expect(await openLoad(who.id)).toBeLessThanOrEqual(2);
    expect(results.filter((r) => r !== null)).toHaveLength(6);
  });
});

describe('queues', () => {
  it('lists the sessions an agent could take (their teams and no team), oldest first, with positions', async () => {
    const a = await agent('A');
    const [mine, theirs] = [await team('round_robin', [a]), await team('round_robin', [])];
    const first = await waitingSession(mine.id);
    const orgWide = await waitingSession(null);
    await waitingSession(theirs.id);
    const second = await waitingSession(mine.id);
    const assigned = await waitingSession(mine.id);
    await db().update(sessions).set({ assigneeId: a.id }).where(eq(sessions.id, assigned));
    const aiHandled = await waitingSession(mine.id);
    await db().update(sessions).set({ handedOff: false }).where(eq(sessions.id, aiHandled));

    const offered = await waitingSessionsFor(db(), t.orgId, a.id);
    expect(offered).toEqual([first, orgWide, second].map((sessionId) => ({ sessionId, channel: 'api' })));
    expect((await waitingSessionsFor(db(), t.orgId, a.id, 1)).map((w) => w.sessionId)).toEqual([first]);
    expect(await queuePosition(db(), t.orgId, first)).toBe(1);
    expect(await queuePosition(db(), t.orgId, second)).toBe(2);
    expect(await queuePosition(db(), t.orgId, orgWide)).toBe(1);
    expect(await queuePosition(db(), t.orgId, assigned)).toBeNull();
    expect(await queuePosition(db(), t.orgId, aiHandled)).toBeNull();
    const other = await createOrganization(t.deps, 'Elsewhere');
    expect(await queuePosition(db(), other.id, first)).toBeNull();
    expect(await waitingSessionsFor(db(), other.id, a.id)).toEqual([]);
  });
});
