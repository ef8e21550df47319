import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, idempotencyKeys } from '../../src/db/schema/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenError } from '../helpers/contract.ts';

// /api-keys*: keys shown once (an Idempotency-Key replay too: it gets no key), listed without secrets, revoked at
// once; the last admin key of an organization stays.

type Json = Record<string, any>;
let t: TestApp;
let agentId: string;
beforeAll(async () => {
  t = await createTestApp();
  const [agent] = await t.database.db.insert(agents).values({ orgId: t.orgId, name: 'Alex', email: 'alex@example.com' }).returning();
  agentId = agent!.id;
});
afterAll(() => t.close());

async function call(method: string, path: string, body?: unknown, key?: string) {
  const res = await t.call(method, path, body, key ? { key } : {});
  return { status: res.status, body: (await res.json()) as Json };
}

async function newKey(body: Json, key?: string): Promise<Json> {
  const res = await call('POST', '/api-keys', body, key);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('POST /api-keys', () => {
  it('shows the key once, with the fields lists show', async () => {
    const created = await newKey({ name: 'CI deploys', role: 'admin' });
    expect(created).toEqual({
      id: expect.any(String),
      name: 'CI deploys',
      role: 'admin',
      key: expect.stringMatching(/^sb_admin_[\w-]{32}$/),
      key_prefix: `${created.key.slice(0, 14)}…`,
      agent_id: null,
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect((await call('GET', '/channels', undefined, created.key)).status).toBe(200);
  });

  it('binds an agent key to an agent of the organization', async () => {
    const created = await newKey({ name: 'Alex’s key', role: 'agent', agent_id: agentId });
    expect(created).toMatchObject({ role: 'agent', agent_id: agentId, key: expect.stringMatching(/^sb_agent_/) });
  });

  it.each([
    ['an agent key without agent_id', { name: 'a', role: 'agent' }, 'agent_id'],
    ['an agent_id on an admin key', { name: 'a', role: 'admin', agent_id: '00000000-0000-4000-8000-000000000000' }, 'agent_id'],
    ['an agent that does not exist', { name: 'a', role: 'agent', agent_id: '00000000-0000-4000-8000-000000000000' }, 'agent_id'],
    ['an unknown role', { name: 'a', role: 'owner' }, 'role'],
    ['no name', { role: 'admin' }, 'name'],
    ['a key of one’s own choosing', { name: 'a', role: 'admin', key: 'sb_admin_mine' }, '(body)'],
  ])('refuses %s with 400', async (_what, payload, path) => {
    const { status, body } = await call('POST', '/api-keys', payload);
    expect(status).toBe(400);
    expectOpenError(body, 400);
    expect(body.details.map((d: Json) => d.path)).toContain(path);
  });

  it('refuses another organization’s agent', async () => {
    const other = await createOrganization(t.deps, 'Agent thief');
    const { status, body } = await call('POST', '/api-keys', { name: 'x', role: 'agent', agent_id: agentId }, other.adminKey);
    expect(status).toBe(400);
    expect(body.message).toBe('agent_id is not an agent of this organization');
  });
});

describe('POST /api-keys with an Idempotency-Key', () => {
  const post = async (idem: string, body: Json = { name: 'Deploy bot', role: 'admin' }) => {
    const res = await t.call('POST', '/api-keys', body, { headers: { 'idempotency-key': idem } });
    return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as Json };
  };
  const record = async (idem: string) =>
    (await t.database.db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.orgId, t.orgId), eq(idempotencyKeys.key, idem))))[0]!;
  const activeKeys = async () => (await call('GET', '/api-keys?limit=100')).body.items.length as number;

  it('replays the answer without the key: same status and fields, key null and a note; the record never held it', async () => {
    const first = await post('key-once');
    expect(first.status).toBe(201);
    expect(first.body.key).toMatch(/^sb_admin_/);
    expect(first.body.secret_shown_once).toBeUndefined();
    const keys = await activeKeys();
    const again = await post('key-once');
    expect(again.status).toBe(201);
    expect(again.replayed).toBe('true');
    const { key, ...rest } = first.body;
    const note = /^This repeats an earlier request with the same Idempotency-Key\. The key field was shown only .* revoke this key/;
    expect(again.body).toEqual({ ...rest, key: null, secret_shown_once: expect.stringMatching(note) });
    expect(JSON.stringify(again.body)).not.toContain(key);
    expect(JSON.stringify((await record('key-once')).response)).not.toContain(key);
    // Nothing was created twice, and the first key works.
    expect(await activeKeys()).toBe(keys);
    expect((await call('GET', '/channels', undefined, key)).status).toBe(200);
  });

  it('forgets a key after 24 hours: the same request is then a new one', async () => {
    const first = await post('key-day');
    await t.database.db
      .update(idempotencyKeys)
      .set({ createdAt: sql`now() - interval '25 hours'` })
      .where(and(eq(idempotencyKeys.orgId, t.orgId), eq(idempotencyKeys.key, 'key-day')));
    const later = await post('key-day');
    expect(later.status).toBe(201);
    expect(later.replayed).toBeNull();
    expect(later.body.key).toMatch(/^sb_admin_/);
    expect(later.body.id).not.toBe(first.body.id);
    // And within the new day the key replays again; another body with it is a conflict again.
    expect((await post('key-day')).body.id).toBe(later.body.id);
    expect((await post('key-day', { name: 'Other', role: 'admin' })).status).toBe(409);
  });
});

describe('GET /api-keys', () => {
  it('lists active keys newest first, never the key or its hash', async () => {
    const created = await newKey({ name: 'Listed', role: 'widget' });
    const { status, body } = await call('GET', '/api-keys?limit=100');
    expect(status).toBe(200);
    expect(body.next).toBeNull();
    expect(body.items[0]).toEqual({
      id: created.id,
      name: 'Listed',
      role: 'widget',
      key_prefix: created.key_prefix,
      agent_id: null,
      created_at: created.created_at,
      last_used_at: null,
    });
    expect(body.items.at(-1).name).toBe('Initial admin key');
    expect(JSON.stringify(body)).not.toContain(created.key);
    for (const item of body.items) expect(Object.keys(item).sort()).toEqual(['agent_id', 'created_at', 'id', 'key_prefix', 'last_used_at', 'name', 'role']);
    const page = (await call('GET', '/api-keys?limit=1')).body;
    expect(page.items.map((k: Json) => k.id)).toEqual([created.id]);
    expect((await call('GET', `/api-keys?limit=1&cursor=${page.next}`)).body.items[0].id).toBe(body.items[1].id);
  });
});

describe('roles', () => {
  it('lets each role reach only its own routes', async () => {
    const agent = (await newKey({ name: 'agent', role: 'agent', agent_id: agentId })).key;
    const widget = (await newKey({ name: 'widget', role: 'widget' })).key;
    expect((await call('GET', '/contacts', undefined, agent)).status).toBe(200);
    expect((await call('GET', '/chat/sessions', undefined, agent)).status).toBe(200);
    for (const path of ['/channels', '/api-keys']) {
      const res = await call('GET', path, undefined, agent);
      expect(res.status, path).toBe(403);
      expectOpenError(res.body, 403);
    }
    expect((await call('POST', '/api-keys', { name: 'escalate', role: 'admin' }, agent)).status).toBe(403);
    for (const path of ['/contacts', '/chat/sessions', '/channels', '/api-keys']) {
      expect((await call('GET', path, undefined, widget)).status, path).toBe(403);
    }
  });

  it('answers 401 without a key or with a wrong one', async () => {
    const none = await t.app.request('/contacts');
    expect(none.status).toBe(401);
    expectOpenError(await none.json(), 401);
    expect((await call('GET', '/contacts', undefined, 'sb_admin_not-a-real-key-not-a-real-key00')).status).toBe(401);
    expect((await t.app.request('/channels', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
  });
});

describe('DELETE /api-keys/{id}', () => {
  it('revokes a key: it gets 401 at once and leaves the list', async () => {
    const agent = await newKey({ name: 'soon revoked', role: 'agent', agent_id: agentId });
    expect((await call('GET', '/contacts', undefined, agent.key)).status).toBe(200); // now cached by the resolver
    const { status, body } = await call('DELETE', `/api-keys/${agent.id}`);
    expect(status).toBe(200);
    expect(body).toEqual({ success: true });
    expect((await call('GET', '/contacts', undefined, agent.key)).status).toBe(401);
    expect((await call('GET', '/api-keys?limit=100')).body.items.map((k: Json) => k.id)).not.toContain(agent.id);
    expect((await call('DELETE', `/api-keys/${agent.id}`)).status).toBe(404);
  });

  it('keeps the last admin key of an organization; a key may revoke itself otherwise', async () => {
    const org = await createOrganization(t.deps, 'Solo');
    const [first] = (await call('GET', '/api-keys', undefined, org.adminKey)).body.items;
    const last = await call('DELETE', `/api-keys/${first.id}`, undefined, org.adminKey);
    expect(last.status).toBe(409);
    expectOpenError(last.body, 409);
    expect(last.body.message).toBe('The last admin key of an organization cannot be revoked: create another admin key first');

    const second = await newKey({ name: 'second admin', role: 'admin' }, org.adminKey);
    expect((await call('DELETE', `/api-keys/${first.id}`, undefined, org.adminKey)).status).toBe(200);
    expect((await call('GET', '/api-keys', undefined, org.adminKey)).status).toBe(401);
    expect((await call('DELETE', `/api-keys/${second.id}`, undefined, second.key)).status).toBe(409);
    expect((await call('GET', '/api-keys', undefined, second.key)).status).toBe(200);
  });

  it('lets only one of two concurrent revocations of the last two admin keys through', async () => {
    const org = await createOrganization(t.deps, 'Race');
    const second = await newKey({ name: 'second admin', role: 'admin' }, org.adminKey);
    const [first] = (await call('GET', '/api-keys?limit=100', undefined, org.adminKey)).body.items.filter((k: Json) => k.id !== second.id);
    const results = await Promise.all([
      call('DELETE', `/api-keys/${first.id}`, undefined, org.adminKey),
      call('DELETE', `/api-keys/${second.id}`, undefined, second.key),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('404s another organization’s key and 400s a malformed id', async () => {
    const other = await createOrganization(t.deps, 'Other org');
    const mine = await newKey({ name: 'mine', role: 'widget' });
    expect((await call('DELETE', `/api-keys/${mine.id}`, undefined, other.adminKey)).status).toBe(404);
    expect((await call('GET', '/api-keys?limit=100', undefined, other.adminKey)).body.items.map((k: Json) => k.id)).not.toContain(mine.id);
    expect((await call('DELETE', '/api-keys/not-an-id')).status).toBe(400);
    expect((await call('DELETE', '/api-keys/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
