import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, channels, contacts, sessions, teamMembers, teams } from '../../src/db/schema/index.ts';
import { createOrganization, insertApiKey } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenError } from '../helpers/contract.ts';

// /teams*: create, list, get, patch, delete; business hours validated (IANA zone, ranges); roles and scoping.
// Through the whole app (createTestApp): reads for admin and agent keys, writes for admins, Idempotency-Key on POSTs.
// Members: teams-members.test.ts.

type Json = Record<string, any>;
let t: TestApp;
let agentKey: string;
beforeAll(async () => {
  t = await createTestApp();
  const someone = await agent('Reader');
  agentKey = (await insertApiKey(t.deps.db, t.orgId, 'agent', 'reader', undefined, someone.id)).key;
});
afterAll(() => t.close());

const call = (method: string, path: string, body?: unknown, opts: { key?: string; headers?: Record<string, string> } = {}) =>
  t.json(method, path, body, opts);

let n = 0;
async function agent(name: string, availability: 'online' | 'offline' = 'offline', orgId = t.orgId) {
  const [row] = await t.deps.db.insert(agents).values({ orgId, name, email: `t${++n}@example.com`, availability }).returning();
  return row!;
}
const newTeam = async (extra: Json = {}) => (await call('POST', '/teams', { name: `Team ${++n}`, ...extra })).body;

const allWeek = { timezone: 'UTC', days: Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, [['00:00', '24:00']]])) };
const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('POST /teams', () => {
  it('creates a team with defaults: round robin, always open, no members', async () => {
    const { status, body } = await call('POST', '/teams', { name: ' Billing ', description: 'Money matters' });
    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.any(String),
      name: 'Billing',
      description: 'Money matters',
      strategy: 'round_robin',
      business_hours: null,
      open_now: true,
      members: [],
      created_at: expect.stringMatching(iso),
      updated_at: expect.stringMatching(iso),
    });
    expect((await call('GET', `/teams/${body.id}`)).body).toEqual(body);
  });

  it('stores business hours in the zone’s canonical spelling, without days left out', async () => {
    const hours = { timezone: 'utc', days: { '1': [['09:00', '12:00'], ['13:00', '17:00']], '6': [] } };
    const { status, body } = await call('POST', '/teams', { name: 'Office', strategy: 'least_busy', business_hours: hours });
    expect(status).toBe(201);
    expect(body.strategy).toBe('least_busy');
    expect(body.business_hours).toEqual({ timezone: 'UTC', days: { '1': [['09:00', '12:00'], ['13:00', '17:00']], '6': [] } });
    const [row] = await t.deps.db.select().from(teams).where(eq(teams.id, body.id));
    expect(row!.businessHours).toEqual(body.business_hours);
    expect((await newTeam({ business_hours: allWeek })).open_now).toBe(true);
    expect((await newTeam({ business_hours: { timezone: 'Asia/Tokyo', days: {} } })).open_now).toBe(false);
  });

  it.each([
    ['an unknown time zone', { timezone: 'Mars/Olympus', days: {} }, 'business_hours.timezone'],
    ['a range that closes before it opens', { timezone: 'UTC', days: { '1': [['17:00', '09:00']] } }, 'business_hours.days.1.0'],
    ['an empty range', { timezone: 'UTC', days: { '1': [['09:00', '09:00']] } }, 'business_hours.days.1.0'],
    ['24:00 as an opening time', { timezone: 'UTC', days: { '1': [['24:00', '24:00']] } }, 'business_hours.days.1.0'],
    ['a malformed time', { timezone: 'UTC', days: { '1': [['9:00', '17:00']] } }, 'business_hours.days.1.0.0'],
    ['a day 7', { timezone: 'UTC', days: { '7': [['09:00', '17:00']] } }, 'business_hours.days'],
    ['a range of three times', { timezone: 'UTC', days: { '1': [['09:00', '12:00', '17:00']] } }, 'business_hours.days.1.0'],
    ['no days', { timezone: 'UTC' }, 'business_hours.days'],
  ])('refuses %s with 400', async (_what, hours, path) => {
    const { status, body } = await call('POST', '/teams', { name: 'Bad hours', business_hours: hours });
    expect(status).toBe(400);
    expectOpenError(body, 400);
    expect(body.details.map((d: Json) => d.path)).toContain(path);
  });

  it.each([
    ['no name', {}, 'name'],
    ['an unknown strategy', { name: 'X', strategy: 'random' }, 'strategy'],
    ['an unknown field', { name: 'X', members: [] }, '(body)'],
    ['a NUL in the description', { name: 'X', description: 'a\u0000' }, 'description'],
  ])('refuses %s with 400', async (_what, payload, path) => {
    const { status, body } = await call('POST', '/teams', payload);
    expect(status).toBe(400);
    expect(body.details.map((d: Json) => d.path)).toContain(path);
  });
});

describe('PATCH, DELETE and lists', () => {
  it('updates strategy, description and hours; null clears them', async () => {
    const team = await newTeam({ business_hours: allWeek, description: 'x' });
    const { status, body } = await call('PATCH', `/teams/${team.id}`, { strategy: 'least_busy', business_hours: null, description: null });
    expect(status).toBe(200);
    expect(body).toEqual({ ...team, strategy: 'least_busy', business_hours: null, description: null, updated_at: expect.stringMatching(iso) });
    expect((await call('PATCH', `/teams/${team.id}`, { business_hours: { timezone: 'Nowhere', days: {} } })).status).toBe(400);
  });

  it('refuses to delete a team with open sessions, then deletes it and its memberships', async () => {
    const team = await newTeam();
    const member = await agent('Member');
    await call('POST', `/teams/${team.id}/members`, { agent_id: member.id });
    const [channel] = await t.deps.db.select({ id: channels.id }).from(channels).where(eq(channels.orgId, t.orgId)).limit(1);
    const [contact] = await t.deps.db.insert(contacts).values({ orgId: t.orgId }).returning({ id: contacts.id });
    const [s] = await t.deps.db
      .insert(sessions)
      .values({ orgId: t.orgId, channelId: channel!.id, contactId: contact!.id, ticketNumber: 1, teamId: team.id })
      .returning({ id: sessions.id });
    const refused = await call('DELETE', `/teams/${team.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe('This team has 1 open session(s): move or close them first');
    await t.deps.db.update(sessions).set({ status: 'closed_unresolved' }).where(eq(sessions.id, s!.id));
    expect(await call('DELETE', `/teams/${team.id}`)).toEqual({ status: 200, body: { success: true } });
    expect((await call('GET', `/teams/${team.id}`)).status).toBe(404);
    expect(await t.deps.db.select().from(teamMembers).where(eq(teamMembers.teamId, team.id))).toEqual([]);
  });

  it('pages oldest first', async () => {
    await newTeam();
    const all = (await call('GET', '/teams?limit=100')).body.items.map((x: Json) => x.id);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: Json = (await call('GET', `/teams?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
      seen.push(...page.items.map((x: Json) => x.id));
      cursor = page.next;
    }
    expect(seen).toEqual(all);
    expect((await call('GET', '/teams?cursor=nope')).status).toBe(400);
  });
});

describe('roles and scoping', () => {
  it('lets agent keys read but not write', async () => {
    const team = await newTeam();
    expect((await call('GET', '/teams', undefined, { key: agentKey })).status).toBe(200);
    expect((await call('GET', `/teams/${team.id}`, undefined, { key: agentKey })).status).toBe(200);
    expect((await call('POST', '/teams', { name: 'Nope' }, { key: agentKey })).status).toBe(403);
    expect((await call('PATCH', `/teams/${team.id}`, { name: 'Nope' }, { key: agentKey })).status).toBe(403);
    expect((await call('DELETE', `/teams/${team.id}`, undefined, { key: agentKey })).status).toBe(403);
  });

  it('404s another organization’s team', async () => {
    const team = await newTeam();
    const other = await createOrganization(t.deps, 'Nosy org');
    for (const [method, path, payload] of [
      ['GET', `/teams/${team.id}`],
      ['PATCH', `/teams/${team.id}`, { name: 'stolen' }],
      ['DELETE', `/teams/${team.id}`],
      ['DELETE', `/teams/${team.id}/members/00000000-0000-4000-8000-000000000000`],
    ] as const) {
      expect((await call(method, path, payload, { key: other.adminKey })).status, `${method} ${path}`).toBe(404);
    }
    expect((await call('GET', '/teams', undefined, { key: other.adminKey })).body.items).toEqual([]);
  });
});
