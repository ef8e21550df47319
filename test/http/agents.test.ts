import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/crypto/password.ts';
import { agents, apiKeys, channels, contacts, sessions, teamMembers, teams } from '../../src/db/schema/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenError } from '../helpers/contract.ts';

// POST and GET /agents: the view, passwords hashed and never shown, duplicate emails, agent keys, validation, lists.
// Through the whole app (createTestApp): reads for admin and agent keys, writes for admins, Idempotency-Key on POSTs.
// PATCH, DELETE and scoping: agents-lifecycle.test.ts.

type Json = Record<string, any>;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const call = (method: string, path: string, body?: unknown, opts: { key?: string; headers?: Record<string, string> } = {}) =>
  t.json(method, path, body, opts);

let n = 0;
const newAgent = async (extra: Json = {}) => (await call('POST', '/agents', { name: `Agent ${++n}`, email: `agent${n}@example.com`, ...extra })).body;

let ticket = 0;
/** An open session assigned to `agentId`, inserted directly (this file tests agents, not the sessions API). */
async function assignedSession(agentId: string, status: 'open' | 'closed_resolved' = 'open') {
  const [channel] = await t.deps.db.select({ id: channels.id }).from(channels).where(eq(channels.orgId, t.orgId)).limit(1);
  const [contact] = await t.deps.db.insert(contacts).values({ orgId: t.orgId }).returning({ id: contacts.id });
  const [row] = await t.deps.db
    .insert(sessions)
    .values({ orgId: t.orgId, channelId: channel!.id, contactId: contact!.id, ticketNumber: ++ticket, assigneeId: agentId, status })
    .returning({ id: sessions.id });
  return row!.id;
}

const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('POST /agents', () => {
  it('creates an agent with defaults and shows the full view', async () => {
    const { status, body } = await call('POST', '/agents', { name: '  Grace Hopper ', email: 'grace@example.com' });
    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.any(String),
      number: expect.any(Number),
      name: 'Grace Hopper',
      email: 'grace@example.com',
      role: 'agent',
      avatar_url: null,
      phone_number: null,
      availability: 'offline',
      capacity: 5,
      password_set: false,
      teams: [],
      open_sessions: 0,
      created_at: expect.stringMatching(iso),
      updated_at: expect.stringMatching(iso),
    });
    expect((await call('GET', `/agents/${body.id}`)).body).toEqual(body);
  });

  it('hashes the password with scrypt and never returns it or its hash', async () => {
    const { status, body } = await call('POST', '/agents', { name: 'Pat', email: 'pat@example.com', password: 's3cret-passw0rd', role: 'admin' });
    expect(status).toBe(201);
    expect(body).toMatchObject({ role: 'admin', password_set: true });
    const [row] = await t.deps.db.select().from(agents).where(eq(agents.id, body.id));
    expect(row!.passwordHash).toMatch(/^scrypt\$/);
    expect(await verifyPassword('s3cret-passw0rd', row!.passwordHash!)).toBe(true);
    const text = JSON.stringify([body, (await call('GET', `/agents/${body.id}`)).body, (await call('GET', '/agents?limit=100')).body]);
    expect(text).not.toMatch(/s3cret|scrypt|password_hash/);
  });

  it('refuses a duplicate email, ignoring case, with 409; another organization may reuse it', async () => {
    await newAgent({ email: 'dup@example.com' });
    const { status, body } = await call('POST', '/agents', { name: 'Twin', email: 'DUP@Example.com' });
    expect(status).toBe(409);
    expectOpenError(body, 409);
    expect(body.message).toBe('Another agent of this organization already has this email');
    const other = await createOrganization(t.deps, 'Other org');
    expect((await call('POST', '/agents', { name: 'Twin', email: 'dup@example.com' }, { key: other.adminKey })).status).toBe(201);
  });

  it('creates an agent API key once with create_api_key; the key acts as the agent and reads only', async () => {
    const { status, body } = await call('POST', '/agents', { name: 'Keyed', email: 'keyed@example.com', create_api_key: true });
    expect(status).toBe(201);
    expect(body.api_key).toMatch(/^sb_agent_/);
    const [key] = await t.deps.db.select().from(apiKeys).where(eq(apiKeys.agentId, body.id));
    expect(key).toMatchObject({ role: 'agent', orgId: t.orgId });
    expect((await call('GET', `/agents/${body.id}`)).body.api_key).toBeUndefined();
    expect((await call('GET', '/agents', undefined, { key: body.api_key })).status).toBe(200);
    expect((await call('GET', `/agents/${body.id}`, undefined, { key: body.api_key })).status).toBe(200);
    const write = await call('POST', '/agents', { name: 'X', email: 'x@example.com' }, { key: body.api_key });
    expect(write.status).toBe(403);
    expect((await call('PATCH', `/agents/${body.id}`, { capacity: 50 }, { key: body.api_key })).status).toBe(403);
    expect((await newAgent()).api_key).toBeUndefined();
  });

  it('replays a repeated Idempotency-Key instead of creating a second agent', async () => {
    const post = () => call('POST', '/agents', { name: 'Once', email: 'once@example.com' }, { headers: { 'idempotency-key': 'agent-once' } });
    const [a, b] = [await post(), await post()];
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).toBe(a.body.id);
  });

  it.each([
    ['no email', { name: 'X' }, 'email'],
    ['a malformed email', { name: 'X', email: 'nope' }, 'email'],
    ['a blank name', { name: '  ', email: 'b@example.com' }, 'name'],
    ['an unknown role', { name: 'X', email: 'r@example.com', role: 'boss' }, 'role'],
    ['an unknown availability', { name: 'X', email: 'a@example.com', availability: 'busy' }, 'availability'],
    ['capacity over 100', { name: 'X', email: 'c@example.com', capacity: 101 }, 'capacity'],
    ['negative capacity', { name: 'X', email: 'c@example.com', capacity: -1 }, 'capacity'],
    ['fractional capacity', { name: 'X', email: 'c@example.com', capacity: 1.5 }, 'capacity'],
    ['a short password', { name: 'X', email: 'p@example.com', password: 'short' }, 'password'],
    ['a NUL in the name', { name: 'a\u0000b', email: 'n@example.com' }, 'name'],
    ['a non-http avatar', { name: 'X', email: 'v@example.com', avatar_url: 'javascript:alert(1)' }, 'avatar_url'],
    ['an unknown field', { name: 'X', email: 'u@example.com', password_hash: 'x' }, '(body)'],
  ])('refuses %s with 400', async (_what, payload, path) => {
    const { status, body } = await call('POST', '/agents', payload);
    expect(status).toBe(400);
    expectOpenError(body, 400);
    expect(body.details.map((d: Json) => d.path)).toContain(path);
  });
});

describe('the password policy (POST and PATCH /agents)', () => {
  it.each([
    ['8 characters', '12345678', /at least 12 characters/],
    ['11 characters', 'abcdefghijk', /at least 12 characters/],
    ['a common password', '123456789012', /list of common passwords/],
    ['a common password, capitalised', 'QwertyUiop123', /list of common passwords/],
    ['a common password with digits and a symbol added', 'Password2024!', /list of common passwords/],
    ['one character repeated', 'zzzzzzzzzzzzzzzz', /one character repeated/],
  ])('refuses %s with a 400 saying why, and sets nothing', async (_what, password, why) => {
    const created = await call('POST', '/agents', { name: 'Weak', email: `weak${++n}@example.com`, password });
    expect(created.status).toBe(400);
    expect(created.body.message).toMatch(/^Password refused: /);
    expect(created.body.message).toMatch(why);
    expect(created.body.details).toEqual([{ path: 'password', message: expect.stringMatching(why) }]);
    expect(await t.deps.db.select().from(agents).where(eq(agents.email, `weak${n}@example.com`))).toEqual([]);

    const existing = await newAgent({ password: 'an acceptable passphrase' });
    const patched = await call('PATCH', `/agents/${existing.id}`, { password, name: 'Renamed' });
    expect(patched.status).toBe(400);
    expect(patched.body.message).toMatch(why);
    const [row] = await t.deps.db.select().from(agents).where(eq(agents.id, existing.id));
    expect(row!.name).toBe(existing.name);
    expect(await verifyPassword('an acceptable passphrase', row!.passwordHash!)).toBe(true);
  });

  it('accepts 12 characters that are not a common password', async () => {
    expect((await call('POST', '/agents', { name: 'Ok', email: `ok${++n}@example.com`, password: 'tram-violet9' })).status).toBe(201);
  });
});

describe('GET /agents', () => {
  it('pages by number and filters by availability and team', async () => {
    const online = await newAgent({ availability: 'online' });
    const all = (await call('GET', '/agents?limit=100')).body.items.map((a: Json) => a.number);
    expect(all).toEqual([...all].sort((a: number, b: number) => a - b));
    const seen: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: Json = (await call('GET', `/agents?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
      seen.push(...page.items.map((a: Json) => a.number));
      cursor = page.next;
    }
    expect(seen).toEqual(all);
    const onlineIds = (await call('GET', '/agents?availability=online&limit=100')).body.items.map((a: Json) => a.id);
    expect(onlineIds).toEqual([online.id]);
    const [team] = await t.deps.db.insert(teams).values({ orgId: t.orgId, name: 'Filter team' }).returning();
    await t.deps.db.insert(teamMembers).values({ orgId: t.orgId, teamId: team!.id, agentId: online.id });
    expect((await call('GET', `/agents?team_id=${team!.id}`)).body).toMatchObject({ items: [{ id: online.id, teams: [{ id: team!.id, name: 'Filter team' }] }], next: null });
    expect((await call('GET', '/agents?availability=busy')).status).toBe(400);
    expect((await call('GET', '/agents?cursor=nope')).status).toBe(400);
    expect((await call('GET', '/agents?limit=101')).status).toBe(400);
  });

  it('counts open sessions assigned, not closed ones', async () => {
    const a = await newAgent();
    await assignedSession(a.id);
    await assignedSession(a.id);
    await assignedSession(a.id, 'closed_resolved');
    expect((await call('GET', `/agents/${a.id}`)).body.open_sessions).toBe(2);
  });
});
