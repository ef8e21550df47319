import { afterAll, beforeAll, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../src/queue/names.ts';
import { insertApiKey } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// /console/queues: bull-board's dashboard, for admins signed in to the console (or with an admin key), read-only.

type Json = Record<string, any>;
let t: TestApp;
const ADMIN = { name: 'Ada Admin', email: 'ada@board.example', password: 'correct horse battery', role: 'admin' };
const AGENT = { name: 'Alan Agent', email: 'alan@board.example', password: 'another long secret', role: 'agent' };

beforeAll(async () => {
  t = await createTestApp();
  expect((await t.json('POST', '/agents', ADMIN)).status).toBe(201);
  expect((await t.json('POST', '/agents', AGENT)).status).toBe(201);
});
afterAll(() => t?.close());

async function signIn(who: { email: string; password: string }): Promise<string> {
  const res = await t.app.request('/console/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: who.email, password: who.password }),
  });
  expect(res.status).toBe(200);
  const token = /sb_console=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  expect(token).toBeTruthy();
  return `sb_console=${token}`;
}

const get = (path: string, headers: Record<string, string> = {}) => t.app.request(path, { headers });
const page = { accept: 'text/html,application/xhtml+xml' };

it("shows a signed-in admin the board, its files, and every queue in its JSON API", async () => {
  const cookie = await signIn(ADMIN);
  const res = await get('/console/queues', { cookie, ...page });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await res.text();
  expect(html).toContain('<base href="/console/queues/"');
  expect(html).toContain('Switchboard queues');

  // The page's scripts are served from under the board (bull-board's static folder).
  const scripts = [...html.matchAll(/<script defer src="([^"]+)"/g)].map((m) => m[1]!);
  expect(scripts.length).toBeGreaterThan(0);
  const script = await get(`/console/queues/${scripts[0]}`, { cookie });
  expect(script.status).toBe(200);
  expect(script.headers.get('content-type')).toMatch(/javascript/);
  expect((await script.text()).length).toBeGreaterThan(100);
  expect((await get('/console/queues/static/js/no-such-file.js', { cookie })).status).toBe(404);

  // A job waiting in a queue shows up in the API the page reads.
  await t.deps.queues.route.add('api', { orgId: t.orgId, sessionId: '00000000-0000-4000-8000-000000000001' }, { jobId: 'board-test' });
  const api = await get('/console/queues/api/queues?activeQueue=route&status=waiting&page=1', { cookie });
  expect(api.status).toBe(200);
  const body = (await api.json()) as Json;
  expect(body.queues.map((q: Json) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
  const route = body.queues.find((q: Json) => q.name === 'route');
  expect(route.readOnlyMode).toBe(true);
  expect(route.counts.waiting).toBe(1);
  expect(route.jobs.map((j: Json) => j.id)).toEqual(['board-test']);
});

it('accepts an admin API key too', async () => {
  const res = await get('/console/queues/api/queues', { authorization: `Bearer ${t.adminKey}` });
  expect(res.status).toBe(200);
  expect(((await res.json()) as Json).queues).toHaveLength(QUEUE_NAMES.length);
});

it('changes nothing: writes need the CSRF token with a cookie, and are refused with a key', async () => {
  const cookie = await signIn(ADMIN);
  const byCookie = await t.app.request('/console/queues/api/queues/route/empty', { method: 'PUT', headers: { cookie } });
  expect(byCookie.status).toBe(403);
  const byKey = await t.app.request('/console/queues/api/queues/route/empty', {
    method: 'PUT',
    headers: { authorization: `Bearer ${t.adminKey}` },
  });
  expect(byKey.status).toBe(405);
  expect(await t.deps.queues.route.getJobCountByTypes('waiting')).toBeGreaterThan(0);
});

it('refuses agents, by sign-in or by key', async () => {
  const cookie = await signIn(AGENT);
  expect((await get('/console/queues', { cookie, ...page })).status).toBe(403);
  expect((await get('/console/queues/api/queues', { cookie })).status).toBe(403);
  const { key } = await insertApiKey(t.database.db, t.orgId, 'agent', 'Agent key');
  expect((await get('/console/queues/api/queues', { authorization: `Bearer ${key}` })).status).toBe(403);
});

it('sends an anonymous browser to the sign-in and answers anonymous API calls 401', async () => {
  const visit = await get('/console/queues/queue/route', page);
  expect(visit.status).toBe(302);
  expect(visit.headers.get('location')).toBe('/console');
  const expired = await get('/console/queues', { ...page, cookie: 'sb_console=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
  expect(expired.status).toBe(302);
  expect((await get('/console/queues/api/queues')).status).toBe(401);
  expect((await get('/console/queues')).status).toBe(401);
  expect((await get('/console/queues/static/js/main.js')).status).toBe(401);
});
