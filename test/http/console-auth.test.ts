import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_LIMITS } from '../../src/console/server/console-auth-routes.ts';
import { ConsoleSessions, consoleRoutes } from '../../src/console/server/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { handleError } from '../../src/http/errors.ts';
import { newRouter } from '../../src/http/router.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// The console's sign-in (POST /console/api/login, /logout, GET /me) and the cookie branch of the API's auth:
// the cookie stands in for a bearer key, writes need the CSRF token, and every rule of the API still applies.

type Json = Record<string, any>;
let t: TestApp;
let admin: Json;
let agent: Json;
const ADMIN = { name: 'Ada Admin', email: 'ada@acme.example', password: 'correct horse battery', role: 'admin' };
const AGENT = { name: 'Alan Agent', email: 'alan@acme.example', password: 'another long secret', role: 'agent' };

beforeAll(async () => {
  // One trusted proxy: each test signs in from its own X-Forwarded-For address, so per-IP limits do not collide.
  t = await createTestApp({ TRUST_PROXY_HOPS: '1' });
  admin = (await t.json('POST', '/agents', ADMIN)).body;
  agent = (await t.json('POST', '/agents', AGENT)).body;
});
afterAll(() => t.close());

let ipCount = 0;
const newIp = () => `203.0.113.${++ipCount}`;

interface SignIn {
  status: number;
  body: Json;
  setCookie: string;
  cookie: string;
}

async function login(email: string, password: string, ip = newIp(), app: { request: TestApp['app']['request'] } = t.app): Promise<SignIn> {
  const res = await app.request('/console/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ email, password }),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  const token = /sb_console=([^;]*)/.exec(setCookie)?.[1] ?? '';
  return { status: res.status, body: (await res.json()) as Json, setCookie, cookie: `sb_console=${token}` };
}

async function serveOnLoopback(app: { fetch: (req: Request) => Response | Promise<Response> }) {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A sign-in over a real connection from `localAddress` (any 127.x address reaches a server on 127.0.0.1). */
function loginOverSocket(url: string, localAddress: string, email: string, password: string) {
  return new Promise<{ status: number; body: Json; retryAfter: string | undefined }>((resolve, reject) => {
    const req = httpRequest(`${url}/console/api/login`, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Json, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ email, password }));
  });
}

/** A request as the browser makes it: the cookie, and the CSRF token when given. */
async function asConsole(cookie: string, method: string, path: string, body?: unknown, csrf?: string) {
  const res = await t.app.request(path, {
    method,
    headers: {
      cookie,
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Json, headers: res.headers };
}

describe('POST /console/api/login', () => {
  it('signs in with the right password: the agent, org and a CSRF token, and a strict session cookie', async () => {
    const r = await login('ADA@acme.example ', ADMIN.password);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      agent: { id: admin.id, name: 'Ada Admin', email: 'ada@acme.example', role: 'admin' },
      org_id: t.orgId,
      csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const attrs = r.setCookie.split(/;\s*/);
    expect(attrs[0]).toMatch(/^sb_console=[A-Za-z0-9_-]{43}$/);
    expect(attrs).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=43200', 'Secure']));
    // Only the token's hash is stored, under the queue prefix.
    const token = attrs[0]!.slice('sb_console='.length);
    const key = `${t.deps.config.queuePrefix}:console:${createHash('sha256').update(token).digest('hex')}`;
    const stored = JSON.parse((await t.deps.redis.get(key))!);
    expect(stored).toMatchObject({ agentId: admin.id, orgId: t.orgId, role: 'admin', csrf: r.body.csrf_token });
    expect(await t.deps.redis.pttl(key)).toBeGreaterThan(43_000_000);
  });

  it('answers a wrong password and an unknown email the same 401, with no cookie', async () => {
    const wrong = await login(ADMIN.email, 'not the password');
    const unknown = await login('nobody@acme.example', ADMIN.password);
    const noPassword = (await t.json('POST', '/agents', { name: 'No Password', email: 'nopw@acme.example' })).body;
    const passwordless = await login(noPassword.email, 'anything at all');
    for (const r of [wrong, unknown, passwordless]) {
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: 'Invalid email or password' });
      expect(r.setCookie).toBe('');
    }
  });

  it('refuses malformed bodies and non-JSON posts', async () => {
    const form = await t.app.request('/console/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=ada%40acme.example&password=x',
    });
    expect(form.status).toBe(415);
    const missing = await t.app.request('/console/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@acme.example' }),
    });
    expect(missing.status).toBe(400);
  });

  it('limits attempts per email from one address: a stranger locks only themselves out, not the agent', async () => {
    // Served on a real port and reached from two loopback addresses: the limits count the socket's peer (no proxy
    // header). The default limits, in a day-long window, so that eleven sign-ins never straddle a fixed window's end.
    const app = newRouter();
    app.onError(handleError);
    app.route('/', consoleRoutes(t.deps, { loginLimits: { ...DEFAULT_LOGIN_LIMITS, windowMs: 86_400_000 } }));
    const server = await serveOnLoopback(app);
    try {
      const from = (localAddress: string, password: string) => loginOverSocket(server.url, localAddress, AGENT.email, password);
      for (let i = 0; i < 10; i++) expect((await from('127.0.0.3', `wrong guess ${i}`)).status).toBe(401);
      const stranger = await from('127.0.0.3', AGENT.password);
      expect(stranger.status).toBe(429);
      expect(Number(stranger.retryAfter)).toBeGreaterThan(0);
      expect(stranger.body.message).toMatch(/Too many sign-in attempts/);
      // The agent, from their own address, signs in with their password as if nothing had happened.
      const agentHimself = await from('127.0.0.2', AGENT.password);
      expect(agentHimself.status).toBe(200);
      expect(agentHimself.body.agent.id).toBe(agent.id);
    } finally {
      await server.close();
    }
  });

  it('limits attempts per IP address, whatever the email', async () => {
    const app = newRouter();
    app.onError(handleError);
    // A day-long window: the limiter's windows are fixed, and four sign-ins must not straddle a window's end.
    app.route('/', consoleRoutes(t.deps, { loginLimits: { perEmailFromIp: 100, perIp: 3, windowMs: 86_400_000 } }));
    const ip = newIp();
    for (let i = 0; i < 3; i++) expect((await login(`spray${i}@acme.example`, 'password1', ip, app)).status).toBe(401);
    expect((await login(ADMIN.email, ADMIN.password, ip, app)).status).toBe(429);
    expect((await login(ADMIN.email, ADMIN.password, newIp(), app)).status).toBe(200);
  });

  it('sets no Secure flag when the gateway is served over plain http', async () => {
    const app = newRouter();
    app.onError(handleError);
    app.route('/', consoleRoutes({ ...t.deps, config: { ...t.deps.config, publicUrl: 'http://127.0.0.1:3000' } }));
    const r = await login(ADMIN.email, ADMIN.password, newIp(), app);
    expect(r.status).toBe(200);
    expect(r.setCookie).toContain('HttpOnly');
    expect(r.setCookie).not.toContain('Secure');
  });
});

describe('GET /console/api/me and POST /console/api/logout', () => {
  it('tells who is signed in, renewing the cookie; without a valid cookie it is a 401', async () => {
    const s = await login(ADMIN.email, ADMIN.password);
    const me = await asConsole(s.cookie, 'GET', '/console/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual(s.body);
    expect(me.headers.get('set-cookie')).toContain('Max-Age=43200');
    expect((await asConsole('sb_console=forged-token', 'GET', '/console/api/me')).status).toBe(401);
    expect((await t.app.request('/console/api/me')).status).toBe(401);
  });

  it('logout needs the CSRF token, deletes the session server-side and clears the cookie', async () => {
    const s = await login(ADMIN.email, ADMIN.password);
    expect((await asConsole(s.cookie, 'POST', '/console/api/logout')).status).toBe(403);
    const out = await asConsole(s.cookie, 'POST', '/console/api/logout', undefined, s.body.csrf_token);
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^sb_console=; Max-Age=0/);
    // The old cookie, replayed, no longer works anywhere.
    expect((await asConsole(s.cookie, 'GET', '/console/api/me')).status).toBe(401);
    const api = await asConsole(s.cookie, 'GET', '/chat/sessions');
    expect(api.status).toBe(401);
    expect(api.body.message).toMatch(/sign in again/);
    // Logging out again (no session) still answers 204.
    expect((await asConsole(s.cookie, 'POST', '/console/api/logout')).status).toBe(204);
  });
});

describe('the API with the console cookie', () => {
  let adminSession: SignIn;
  let agentSession: SignIn;
  beforeAll(async () => {
    adminSession = await login(ADMIN.email, ADMIN.password);
    // AGENT's email hit its limit from 127.0.0.3 above; a second agent keeps these tests independent of it.
    const second = (await t.json('POST', '/agents', { name: 'Bea Agent', email: 'bea@acme.example', password: 'bea password 123' })).body;
    agentSession = await login(second.email, 'bea password 123');
    expect(agentSession.body.agent.role).toBe('agent');
  });

  it('reads with the cookie alone; writes need the X-CSRF-Token', async () => {
    const list = await asConsole(adminSession.cookie, 'GET', '/chat/sessions');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual(expect.any(Array));
    const noToken = await asConsole(adminSession.cookie, 'POST', '/chat/sessions', {});
    expect(noToken.status).toBe(403);
    expect(noToken.body.message).toBe('Missing or invalid CSRF token');
    const wrongToken = await asConsole(adminSession.cookie, 'POST', '/chat/sessions', {}, agentSession.body.csrf_token);
    expect(wrongToken.status).toBe(403);
    const created = await asConsole(adminSession.cookie, 'POST', '/chat/sessions', {}, adminSession.body.csrf_token);
    expect(created.status).toBe(201);
    const patched = await asConsole(agentSession.cookie, 'PATCH', `/chat/sessions/${created.body.id}`, { priority: 'high' }, agentSession.body.csrf_token);
    expect(patched.status).toBe(200);
    expect(patched.body.priority).toBe('high');
  });

  it('an agent’s cookie cannot call admin routes; an admin’s can', async () => {
    const forbidden = await asConsole(agentSession.cookie, 'GET', '/channels');
    expect(forbidden.status).toBe(403);
    expect((await asConsole(agentSession.cookie, 'POST', '/agents', { name: 'X', email: 'x@acme.example' }, agentSession.body.csrf_token)).status).toBe(403);
    expect((await asConsole(agentSession.cookie, 'GET', '/console/api/channel-kinds')).status).toBe(403);
    expect((await asConsole(adminSession.cookie, 'GET', '/channels')).status).toBe(200);
    // An agent may read the people they work with, as with an agent key.
    expect((await asConsole(agentSession.cookie, 'GET', '/agents')).status).toBe(200);
  });

  it('acts as the signed-in agent (its id is the AuthContext agent)', async () => {
    const mine = await asConsole(agentSession.cookie, 'PATCH', `/agents/${agentSession.body.agent.id}`, { availability: 'online' }, agentSession.body.csrf_token);
    expect(mine.status).toBe(200);
    expect(mine.body.availability).toBe('online');
    const other = await asConsole(agentSession.cookie, 'PATCH', `/agents/${admin.id}`, { availability: 'online' }, agentSession.body.csrf_token);
    expect(other.status).toBe(403);
  });

  it('another organization’s session is a 404', async () => {
    const other = await createOrganization(t.deps, 'Other org');
    const theirs = await t.json('POST', '/chat/sessions', {}, { key: other.adminKey });
    expect(theirs.status).toBe(201);
    expect((await asConsole(adminSession.cookie, 'GET', `/chat/sessions/${theirs.body.id}`)).status).toBe(404);
    const patch = await asConsole(adminSession.cookie, 'PATCH', `/chat/sessions/${theirs.body.id}`, { priority: 'low' }, adminSession.body.csrf_token);
    expect(patch.status).toBe(404);
  });

  it('bearer keys work exactly as before, and win over a cookie', async () => {
    expect((await t.json('GET', '/chat/sessions')).status).toBe(200);
    // A bearer write needs no CSRF token.
    expect((await t.json('POST', '/chat/sessions', {})).status).toBe(201);
    const none = await t.app.request('/chat/sessions');
    expect(none.status).toBe(401);
    expect(((await none.json()) as Json).message).toBe('Missing API key: send Authorization: Bearer <key>');
    // A bad key is refused even next to a valid cookie: the header decides.
    const bad = await t.app.request('/chat/sessions', { headers: { authorization: 'Bearer sb_wrong', cookie: adminSession.cookie } });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as Json).message).toBe('Invalid or revoked API key');
  });
});

describe('a session ends when its agent changes', () => {
  // A fresh resolver without the 5 s agent cache, reading the same Redis sessions the app wrote.
  const fresh = () => new ConsoleSessions(t.deps, { agentCacheMs: 0 });
  const tokenOf = (s: SignIn) => s.cookie.slice('sb_console='.length);

  it('on a password change, a role change, or deletion', async () => {
    const person = (await t.json('POST', '/agents', { name: 'Cy', email: 'cy@acme.example', password: 'cy password 123' })).body;
    const first = await login(person.email, 'cy password 123');
    expect(await fresh().resolve(tokenOf(first))).toMatchObject({ agent: { id: person.id, role: 'agent' }, orgId: t.orgId });
    await t.json('PATCH', `/agents/${person.id}`, { password: 'cy new password 1' });
    expect(await fresh().resolve(tokenOf(first))).toBeNull();

    const second = await login(person.email, 'cy new password 1');
    await t.json('PATCH', `/agents/${person.id}`, { role: 'admin' });
    expect(await fresh().resolve(tokenOf(second))).toBeNull();

    const third = await login(person.email, 'cy new password 1');
    expect(third.body.agent.role).toBe('admin');
    expect((await t.json('DELETE', `/agents/${person.id}`)).status).toBe(200);
    expect(await fresh().resolve(tokenOf(third))).toBeNull();
  });

  it('the same email in two organizations: the password picks the account', async () => {
    const other = await createOrganization(t.deps, 'Second org');
    await t.json('POST', '/agents', { name: 'Dee', email: 'dee@acme.example', password: 'dee first org pw' });
    await t.json('POST', '/agents', { name: 'Dee', email: 'dee@acme.example', password: 'dee second org pw' }, { key: other.adminKey });
    expect((await login('dee@acme.example', 'dee first org pw')).body.org_id).toBe(t.orgId);
    expect((await login('dee@acme.example', 'dee second org pw')).body.org_id).toBe(other.id);
  });
});
