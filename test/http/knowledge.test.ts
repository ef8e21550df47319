import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, insertApiKey } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenError } from '../helpers/contract.ts';

// /knowledge*: the articles the AI answers from. CRUD, search (literal, case-insensitive substring of title or
// body), tag filter, limits and scoping. Through the whole app: admin keys, Idempotency-Key on POSTs.

type Json = Record<string, any>;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const call = (method: string, path: string, body?: unknown, opts: { key?: string; headers?: Record<string, string> } = {}) =>
  t.json(method, path, body, opts);

const post = async (title: string, body: string, tags?: string[]) => (await call('POST', '/knowledge', { title, body, tags })).body;
const search = async (query: string) => (await call('GET', `/knowledge?limit=100&${query}`)).body.items.map((a: Json) => a.title);
const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('CRUD', () => {
  it('creates, reads, updates and deletes an article', async () => {
    const { status, body } = await call('POST', '/knowledge', { title: ' Refunds ', body: 'Refunds take 5 days.', tags: ['billing', 'refund', 'billing'] });
    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.any(String),
      title: 'Refunds',
      body: 'Refunds take 5 days.',
      tags: ['billing', 'refund'],
      created_at: expect.stringMatching(iso),
      updated_at: expect.stringMatching(iso),
    });
    expect((await call('GET', `/knowledge/${body.id}`)).body).toEqual(body);
    await new Promise((r) => setTimeout(r, 5));
    const patched = await call('PATCH', `/knowledge/${body.id}`, { body: 'Refunds take 3 days.', tags: [] });
    expect(patched).toEqual({ status: 200, body: { ...body, body: 'Refunds take 3 days.', tags: [], updated_at: expect.stringMatching(iso) } });
    expect(Date.parse(patched.body.updated_at)).toBeGreaterThan(Date.parse(body.updated_at));
    expect(await call('DELETE', `/knowledge/${body.id}`)).toEqual({ status: 200, body: { success: true } });
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      expect((await call(method, `/knowledge/${body.id}`, method === 'PATCH' ? { title: 'x' } : undefined)).status, method).toBe(404);
    }
  });

  it('takes a body of 100,000 characters and refuses one more', async () => {
    expect((await call('POST', '/knowledge', { title: 'Long', body: 'é'.repeat(100_000) })).status).toBe(201);
    const { status, body } = await call('POST', '/knowledge', { title: 'Too long', body: 'x'.repeat(100_001) });
    expect(status).toBe(400);
    expectOpenError(body, 400);
    expect(body.details[0].path).toBe('body');
  });

  it.each([
    ['no title', { body: 'x' }, 'title'],
    ['a blank body', { title: 'T', body: ' \n ' }, 'body'],
    ['a long title', { title: 'x'.repeat(501), body: 'b' }, 'title'],
    ['too many tags', { title: 'T', body: 'b', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
    ['a blank tag', { title: 'T', body: 'b', tags: [' '] }, 'tags.0'],
    ['a non-string tag', { title: 'T', body: 'b', tags: [1] }, 'tags.0'],
    ['a NUL in the body', { title: 'T', body: 'a\u0000b' }, 'body'],
    ['an unknown field', { title: 'T', body: 'b', lang: 'en' }, '(body)'],
  ])('refuses %s with 400', async (_what, payload, path) => {
    const { status, body } = await call('POST', '/knowledge', payload);
    expect(status).toBe(400);
    expect(body.details.map((d: Json) => d.path)).toContain(path);
  });

  it('replays a repeated Idempotency-Key', async () => {
    const once = () => call('POST', '/knowledge', { title: 'Once', body: 'b' }, { headers: { 'idempotency-key': 'kb-once' } });
    const [a, b] = [await once(), await once()];
    expect(b.body.id).toBe(a.body.id);
  });
});

describe('GET /knowledge', () => {
  it('searches title and body case-insensitively, with % and _ taken literally', async () => {
    const other = await createOrganization(t.deps, 'Search org');
    await call('POST', '/knowledge', { title: 'Shipping times', body: 'Parcels ship daily' }, { key: other.adminKey });
    await post('Shipping times', 'We ship within 2 days.');
    await post('Returns', 'Send the PARCEL back within 30 days.');
    await post('Discounts', 'Save 100% on the second item_a.');
    await post('Other', 'Save 1000 on item-b.');
    expect(await search('q=shipping')).toEqual(['Shipping times']);
    expect((await search('q=parcel')).sort()).toEqual(['Returns']);
    expect(await search('q=100%25')).toEqual(['Discounts']);
    expect(await search('q=item_')).toEqual(['Discounts']);
    expect(await search('q=%25%25')).toEqual([]);
    expect(await search('q=nothing-matches')).toEqual([]);
    expect((await call('GET', '/knowledge?q=')).status).toBe(400);
    expect((await call('GET', '/knowledge?q=%00')).status).toBe(400);
  });

  it('filters by tag and pages newest first', async () => {
    await post('Tagged A', 'a', ['faq']);
    await post('Tagged B', 'b', ['faq', 'billing']);
    expect(await search('tag=faq')).toEqual(['Tagged B', 'Tagged A']);
    expect(await search('tag=billing&q=b')).toEqual(['Tagged B']);
    const all = (await call('GET', '/knowledge?limit=100')).body.items.map((a: Json) => a.id);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: Json = (await call('GET', `/knowledge?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).body;
      seen.push(...page.items.map((a: Json) => a.id));
      cursor = page.next;
    }
    expect(seen).toEqual(all);
    expect((await call('GET', '/knowledge?cursor=nope')).status).toBe(400);
  });
});

describe('roles and scoping', () => {
  it('is for admin keys only', async () => {
    const agentKey = (await insertApiKey(t.deps.db, t.orgId, 'agent', 'agent')).key;
    expect((await call('GET', '/knowledge', undefined, { key: agentKey })).status).toBe(403);
  });

  it('404s another organization’s article', async () => {
    const mine = await post('Mine', 'mine');
    const other = await createOrganization(t.deps, 'Nosy org');
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await call(method, `/knowledge/${mine.id}`, method === 'PATCH' ? { title: 'stolen' } : undefined, { key: other.adminKey });
      expect(res.status, method).toBe(404);
    }
    expect((await call('GET', `/knowledge/${mine.id}`)).body.title).toBe('Mine');
    expect((await call('GET', '/knowledge/123')).status).toBe(400);
  });
});
