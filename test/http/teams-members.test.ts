import type { MiddlewareHandler } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents } from '../../src/db/schema/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import type { AppEnv } from '../../src/http/env.ts';
import { handleError, notFoundHandler } from '../../src/http/errors.ts';
import { requireAuth } from '../../src/http/middleware/auth.ts';
import { idempotency } from '../../src/http/middleware/idempotency.ts';
import { newRouter } from '../../src/http/router.ts';
import { teamRoutes } from '../../src/http/routes/teams.ts';
import { createTestApp, requestJson, type TestApp } from '../helpers/app.ts';

// POST /teams/{id}/members and DELETE /teams/{id}/members/{agent_id}: idempotent adds, removal, offering waiting
// sessions to an online agent who joins, and scoping. Mounted as in teams.test.ts.

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
  const readOrAdmin: MiddlewareHandler<AppEnv> = (c, next) => (c.req.method === 'GET' ? members : admins)(c, next);
  app.use('/teams/*', readOrAdmin, idempotency(t.deps.db));
  app.route('/', teamRoutes(t.deps, { onAgentAvailable: async (_org, id) => void offered.push(id) }));
});
afterAll(() => t.close());

const call = (method: string, path: string, body?: unknown, opts: { key?: string; headers?: Record<string, string> } = {}) =>
  requestJson(app, opts.key ?? t.adminKey, method, path, body, opts.headers);

let n = 0;
async function agent(name: string, availability: 'online' | 'offline' = 'offline', orgId = t.orgId) {
  const [row] = await t.deps.db.insert(agents).values({ orgId, name, email: `t${++n}@example.com`, availability }).returning();
  return row!;
}
const newTeam = async () => (await call('POST', '/teams', { name: `Team ${++n}` })).body;

describe('members', () => {
  it('adds (idempotently) and removes members, shown by number', async () => {
    const team = await newTeam();
    const [b, a] = [await agent('Bea'), await agent('Al')];
    expect((await call('POST', `/teams/${team.id}/members`, { agent_id: a.id })).status).toBe(200);
    const { status, body } = await call('POST', `/teams/${team.id}/members`, { agent_id: b.id });
    expect(status).toBe(200);
    expect(body.members).toEqual([
      { id: b.id, number: b.number, name: 'Bea', availability: 'offline' },
      { id: a.id, number: a.number, name: 'Al', availability: 'offline' },
    ]);
    expect((await call('POST', `/teams/${team.id}/members`, { agent_id: a.id })).body.members).toHaveLength(2);
    const removed = await call('DELETE', `/teams/${team.id}/members/${b.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.members.map((m: Json) => m.id)).toEqual([a.id]);
    expect((await call('DELETE', `/teams/${team.id}/members/${b.id}`)).status).toBe(404);
  });

  it('offers the team’s waiting sessions to an online agent who joins', async () => {
    const team = await newTeam();
    const [on, off] = [await agent('On', 'online'), await agent('Off')];
    offered.length = 0;
    await call('POST', `/teams/${team.id}/members`, { agent_id: off.id });
    await call('POST', `/teams/${team.id}/members`, { agent_id: on.id });
    await call('POST', `/teams/${team.id}/members`, { agent_id: on.id });
    expect(offered).toEqual([on.id]);
  });

  it('404s an unknown or foreign agent or team, and 400s a malformed one', async () => {
    const team = await newTeam();
    const other = await createOrganization(t.deps, 'Member org');
    const foreign = await agent('Foreign', 'offline', other.id);
    expect((await call('POST', `/teams/${team.id}/members`, { agent_id: foreign.id })).status).toBe(404);
    expect((await call('POST', `/teams/${team.id}/members`, { agent_id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    expect((await call('POST', `/teams/${team.id}/members`, { agent_id: 'nope' })).status).toBe(400);
    const mine = await agent('Mine');
    expect((await call('POST', `/teams/${team.id}/members`, { agent_id: mine.id }, { key: other.adminKey })).status).toBe(404);
  });
});
