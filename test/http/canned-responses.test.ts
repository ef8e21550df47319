import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, insertApiKey } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenError } from '../helpers/contract.ts';

// /canned-responses*: saved replies for the console's composer. CRUD, search over shortcut/title/body, paging by
// shortcut, roles (agents read, admins write), duplicate shortcuts, validation and organization scoping.

type Json = Record<string, any>;
let t: TestApp;
let agentKey: string;
beforeAll(async () => {
  t = await createTestApp();
  agentKey = (await insertApiKey(t.deps.db, t.orgId, 'agent', 'agent')).key;
});
afterAll(() => t.close());

const call = (method: string, path: string, body?: unknown, opts: { key?: string; headers?: Record<string, string> } = {}) =>
  t.json(method, path, body, opts);
const post = async (shortcut: string, title: string, body: string, key?: string) =>
  call('POST', '/canned-responses', { shortcut, title, body }, key ? { key } : {});
const shortcuts = async (query = '', key?: string) =>
  (await call('GET', `/canned-responses?limit=200${query ? `&${query}` : ''}`, undefined, key ? { key } : {})).body.items.map(
    (c: Json) => c.shortcut,
  );
const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('CRUD', () => {
  it('creates, reads, updates and deletes a canned response', async () => {
    const { status, body } = await post(' Refund-Policy ', ' Refunds ', 'Hi {name},\n  refunds take 5 days.');
    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.any(String),
      shortcut: 'refund-policy',
      title: 'Refunds',
      body: 'Hi {name},\n  refunds take 5 days.',
      created_at: expect.stringMatching(iso),
      updated_at: expect.stringMatching(iso),
    });
    expect((await call('GET', `/canned-responses/${body.id}`)).body).toEqual(body);
    await new Promise((r) => setTimeout(r, 5));
    const patched = await call('PATCH', `/canned-responses/${body.id}`, { shortcut: 'refunds', body: 'Refunds take 3 days.' });
    expect(patched).toEqual({
      status: 200,
      body: { ...body, shortcut: 'refunds', body: 'Refunds take 3 days.', updated_at: expect.stringMatching(iso) },
    });
    expect(Date.parse(patched.body.updated_at)).toBeGreaterThan(Date.parse(body.updated_at));
    expect(await call('DELETE', `/canned-responses/${body.id}`)).toEqual({ status: 200, body: { success: true } });
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await call(method, `/canned-responses/${body.id}`, method === 'PATCH' ? { title: 'x' } : undefined);
      expect(res.status, method).toBe(404);
      expectOpenError(res.body, 404);
    }
  });

  it('refuses a shortcut already used in the organization with 409, on create and on update', async () => {
    expect((await post('greeting', 'Hello', 'Hello there!')).status).toBe(201);
    const dup = await post('GREETING', 'Hello again', 'Hi!');
    expect(dup.status).toBe(409);
    expectOpenError(dup.body, 409);
    expect(dup.body.message).toMatch(/greeting/);
    const other = (await post('farewell', 'Bye', 'Goodbye!')).body;
    const clash = await call('PATCH', `/canned-responses/${other.id}`, { shortcut: 'greeting' });
    expect(clash.status).toBe(409);
    expect((await call('GET', `/canned-responses/${other.id}`)).body.shortcut).toBe('farewell');
    // Another organization may use the same shortcut.
    const org = await createOrganization(t.deps, 'Same shortcut org');
    expect((await post('greeting', 'Hello', 'Hi from elsewhere', org.adminKey)).status).toBe(201);
  });

  it.each([
    ['no shortcut', { title: 'T', body: 'b' }, 'shortcut'],
    ['a shortcut with a space', { shortcut: 'two words', title: 'T', body: 'b' }, 'shortcut'],
    ['a shortcut with a slash', { shortcut: '/refund', title: 'T', body: 'b' }, 'shortcut'],
    ['a shortcut of 51 characters', { shortcut: 'x'.repeat(51), title: 'T', body: 'b' }, 'shortcut'],
    ['a blank title', { shortcut: 'ok', title: '  ', body: 'b' }, 'title'],
    ['a blank body', { shortcut: 'ok', title: 'T', body: ' \n ' }, 'body'],
    ['a body of 20,001 characters', { shortcut: 'ok', title: 'T', body: 'x'.repeat(20_001) }, 'body'],
    ['a NUL in the body', { shortcut: 'ok', title: 'T', body: 'a\u0000b' }, 'body'],
    ['an unknown field', { shortcut: 'ok', title: 'T', body: 'b', tags: [] }, '(body)'],
  ])('refuses %s with 400', async (_what, payload, path) => {
    const { status, body } = await call('POST', '/canned-responses', payload);
    expect(status).toBe(400);
    expectOpenError(body, 400);
    expect(body.details.map((d: Json) => d.path)).toContain(path);
  });

  it('refuses an invalid patch with 400 and a non-uuid id with 400', async () => {
    const { body } = await post('patch-me', 'Patch me', 'b');
    expect((await call('PATCH', `/canned-responses/${body.id}`, { shortcut: 'Not A Slug!' })).status).toBe(400);
    expect((await call('PATCH', `/canned-responses/${body.id}`, { body: '' })).status).toBe(400);
    expect((await call('GET', '/canned-responses/123')).status).toBe(400);
  });
});

describe('GET /canned-responses', () => {
  it('searches shortcut, title and body case-insensitively (with % and _ literal) and pages A→Z', async () => {
    const org = await createOrganization(t.deps, 'Search org');
    const key = org.adminKey;
    await post('shipping', 'Shipping times', 'We ship within 2 days.', key);
    await post('returns', 'Returns', 'Send the PARCEL back within 30 days.', key);
    await post('discount', 'Discounts', 'Save 100% on the second item_a.', key);
    await post('other', 'Other', 'Save 1000 on item-b.', key);
    expect(await shortcuts('', key)).toEqual(['discount', 'other', 'returns', 'shipping']);
    expect(await shortcuts('q=SHIP', key)).toEqual(['shipping']);
    expect(await shortcuts('q=parcel', key)).toEqual(['returns']);
    expect(await shortcuts('q=disc', key)).toEqual(['discount']);
    expect(await shortcuts('q=100%25', key)).toEqual(['discount']);
    expect(await shortcuts('q=item_', key)).toEqual(['discount']);
    expect(await shortcuts('q=nothing-matches', key)).toEqual([]);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: Json = (await call('GET', `/canned-responses?limit=3${cursor ? `&cursor=${cursor}` : ''}`, undefined, { key })).body;
      seen.push(...page.items.map((c: Json) => c.shortcut));
      cursor = page.next;
    }
    expect(seen).toEqual(['discount', 'other', 'returns', 'shipping']);
    expect((await call('GET', '/canned-responses?cursor=nope', undefined, { key })).status).toBe(400);
    expect((await call('GET', '/canned-responses?limit=201', undefined, { key })).status).toBe(400);
    expect((await call('GET', '/canned-responses?q=', undefined, { key })).status).toBe(400);
  });
});

describe('roles and scoping', () => {
  it('lets agents list and read, but only admins create, update and delete (403)', async () => {
    const { body: made } = await post('agent-visible', 'Visible', 'Agents see this.');
    expect(await shortcuts('q=agent-visible', agentKey)).toEqual(['agent-visible']);
    expect((await call('GET', `/canned-responses/${made.id}`, undefined, { key: agentKey })).body.title).toBe('Visible');
    const create = await post('by-agent', 'Nope', 'b', agentKey);
    expect(create.status).toBe(403);
    expectOpenError(create.body, 403);
    expect((await call('PATCH', `/canned-responses/${made.id}`, { title: 'x' }, { key: agentKey })).status).toBe(403);
    expect((await call('DELETE', `/canned-responses/${made.id}`, undefined, { key: agentKey })).status).toBe(403);
    expect((await call('GET', `/canned-responses/${made.id}`)).body.title).toBe('Visible');
    expect(await shortcuts('q=by-agent')).toEqual([]);
  });

  it('404s another organization’s canned response and never lists it', async () => {
    const { body: mine } = await post('mine-only', 'Mine', 'mine');
    const other = await createOrganization(t.deps, 'Nosy org');
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await call(method, `/canned-responses/${mine.id}`, method === 'PATCH' ? { title: 'stolen' } : undefined, { key: other.adminKey });
      expect(res.status, method).toBe(404);
    }
    expect(await shortcuts('', other.adminKey)).toEqual([]);
    expect((await call('GET', `/canned-responses/${mine.id}`)).body.title).toBe('Mine');
  });

  it('needs a key', async () => {
    const res = await t.app.request('/canned-responses');
    expect(res.status).toBe(401);
  });
});
