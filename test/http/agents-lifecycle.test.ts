import { eq } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/crypto/password.ts';
import { agents, channels, contacts, sessions, teamMembers, teams } from '../../src/db/schema/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import type { AppEnv } from '../../src/http/env.ts';
import { handleError, notFoundHandler } from '../../src/http/errors.ts';
import { requireAuth } from '../../src/http/middleware/auth.ts';
import { idempotency } from '../../src/http/middleware/idempotency.ts';
import { newRouter } from '../../src/http/router.ts';
import { agentRoutes } from '../../src/http/routes/agents.ts';
import { createTestApp, requestJson, type TestApp } from '../helpers/app.ts';
import { expectOpenError } from '../helpers/contract.ts';

// PATCH and DELETE /agents/{id}: updates, passwords, offering waiting sessions, deletion rules, organization scoping.
// Mounted as app.ts is asked to: GET and PATCH for admin and agent keys (the route limits what an agent key may
// patch), POST and DELETE for admins.

type Json = Record<string, any>;
let t: TestApp;
let app: ReturnType<typeof newRouter>;
const offered: string[] = [];
beforeAll(async () => {
  t = await createTestApp();
  app = newRouter();
  app.onError(handleError);
  app.notFound(notFoundHandler);
  const members = requireAuth(t.deps.keys, ['admin', 'agent']);
  const admins = requireAuth(t.deps.keys, ['admin']);
  const readOrAdmin: MiddlewareHandler<AppEnv> = (c, next) => (['GET', 'PATCH'].includes(c.req.method) ? members : admins)(c, next);
  app.use('/agents/*', readOrAdmin, idempotency(t.deps.db));
  app.route('/', agentRoutes(t.deps, { onAgentAvailable: async (_org, id) => void offered.push(id) }));
});
afterAll(() => t.close());

const call = (method: string, path: string, body?: unknown, opts: { key?: string; headers?: Record<string, string> } = {}) =>
  requestJson(app, opts.key ?? t.adminKey, method, path, body, opts.headers);

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

describe('PATCH /agents/{id}', () => {
  it('updates fields, keeps the rest, and bumps updated_at', async () => {
    const a = await newAgent();
    await new Promise((r) => setTimeout(r, 5));
    const { status, body } = await call('PATCH', `/agents/${a.id}`, { name: 'Renamed', capacity: 0, role: 'admin', avatar_url: 'https://x.test/a.png' });
    expect(status).toBe(200);
    expect(body).toEqual({ ...a, name: 'Renamed', capacity: 0, role: 'admin', avatar_url: 'https://x.test/a.png', updated_at: expect.stringMatching(iso) });
    expect(Date.parse(body.updated_at)).toBeGreaterThan(Date.parse(a.updated_at));
    expect((await call('PATCH', `/agents/${a.id}`, { capacity: 101 })).status).toBe(400);
    expect((await call('PATCH', `/agents/${a.id}`, { number: 7 })).status).toBe(400);
  });

  it('sets, changes and removes the password', async () => {
    const a = await newAgent();
    expect((await call('PATCH', `/agents/${a.id}`, { password: 'first-password' })).body.password_set).toBe(true);
    const hash = async () => (await t.deps.db.select().from(agents).where(eq(agents.id, a.id)))[0]!.passwordHash;
    expect(await verifyPassword('first-password', (await hash())!)).toBe(true);
    expect((await call('PATCH', `/agents/${a.id}`, { password: null })).body.password_set).toBe(false);
    expect(await hash()).toBeNull();
  });

  it('409s an email another agent has', async () => {
    const [a, b] = [await newAgent(), await newAgent()];
    const { status, body } = await call('PATCH', `/agents/${a.id}`, { email: b.email.toUpperCase() });
    expect(status).toBe(409);
    expectOpenError(body, 409);
    expect((await call('PATCH', `/agents/${a.id}`, { email: a.email.toUpperCase() })).status).toBe(200);
  });

  it('offers waiting sessions when the agent comes online or gains room while online', async () => {
    const a = await newAgent();
    offered.length = 0;
    await call('PATCH', `/agents/${a.id}`, { availability: 'away' });
    expect(offered).toEqual([]);
    await call('PATCH', `/agents/${a.id}`, { availability: 'online' });
    expect(offered).toEqual([a.id]);
    await call('PATCH', `/agents/${a.id}`, { availability: 'online', name: 'Still online' });
    await call('PATCH', `/agents/${a.id}`, { capacity: 3 });
    expect(offered).toEqual([a.id]);
    await call('PATCH', `/agents/${a.id}`, { capacity: 8 });
    expect(offered).toEqual([a.id, a.id]);
  });
});

describe('PATCH /agents/{id} with an agent key', () => {
  it('lets an agent change only their own availability', async () => {
    const me = (await call('POST', '/agents', { name: 'Self', email: 'self@example.com', create_api_key: true })).body;
    const colleague = await newAgent();
    offered.length = 0;
    const ok = await call('PATCH', `/agents/${me.id}`, { availability: 'online' }, { key: me.api_key });
    expect(ok.status).toBe(200);
    expect(ok.body.availability).toBe('online');
    expect(offered).toEqual([me.id]);
    for (const [id, payload] of [
      [me.id, { capacity: 100 }],
      [me.id, { availability: 'away', role: 'admin' }],
      [colleague.id, { availability: 'online' }],
    ] as const) {
      const refused = await call('PATCH', `/agents/${id}`, payload, { key: me.api_key });
      expect(refused.status, JSON.stringify(payload)).toBe(403);
      expectOpenError(refused.body, 403);
    }
    expect((await call('GET', `/agents/${me.id}`)).body).toMatchObject({ availability: 'online', capacity: 5, role: 'agent' });
    expect((await call('DELETE', `/agents/${me.id}`, undefined, { key: me.api_key })).status).toBe(403);
  });
});

describe('DELETE /agents/{id}', () => {
  it('refuses while open sessions are assigned; then deletes, revokes the agent’s keys and drops memberships', async () => {
    const a = (await call('POST', '/agents', { name: 'Leaving', email: 'leaving@example.com', create_api_key: true })).body;
    const [team] = await t.deps.db.insert(teams).values({ orgId: t.orgId, name: 'Leavers' }).returning();
    await t.deps.db.insert(teamMembers).values({ orgId: t.orgId, teamId: team!.id, agentId: a.id });
    const sessionId = await assignedSession(a.id);
    expect((await call('GET', '/agents', undefined, { key: a.api_key })).status).toBe(200);

    const refused = await call('DELETE', `/agents/${a.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe('This agent has 1 open session(s): reassign or close them first');

    await t.deps.db.update(sessions).set({ status: 'closed_resolved' }).where(eq(sessions.id, sessionId));
    expect(await call('DELETE', `/agents/${a.id}`)).toEqual({ status: 200, body: { success: true } });
    expect((await call('GET', `/agents/${a.id}`)).status).toBe(404);
    expect((await call('DELETE', `/agents/${a.id}`)).status).toBe(404);
    expect((await call('GET', '/agents', undefined, { key: a.api_key })).status).toBe(401);
    expect(await t.deps.db.select().from(teamMembers).where(eq(teamMembers.agentId, a.id))).toEqual([]);
  });
});

describe('organization scoping and ids', () => {
  it('404s another organization’s agent and 400s a malformed id', async () => {
    const mine = await newAgent();
    const other = await createOrganization(t.deps, 'Nosy org');
    for (const [method, payload] of [['GET'], ['PATCH', { name: 'stolen' }], ['DELETE']] as const) {
      expect((await call(method, `/agents/${mine.id}`, payload, { key: other.adminKey })).status, method).toBe(404);
    }
    expect((await call('GET', '/agents', undefined, { key: other.adminKey })).body.items).toEqual([]);
    expect((await call('GET', '/agents/123')).status).toBe(400);
    expect((await call('GET', `/agents/${mine.id}`)).body.name).toBe(mine.name);
  });

  it('401s without a key', async () => {
    expect((await app.request('/agents')).status).toBe(401);
  });
});
