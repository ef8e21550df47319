import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenError } from '../helpers/contract.ts';

// /channels*: create, list, get, patch, soft delete and test; here: the HTTP surface, validation and scoping.
// Secret handling is covered by test/unit/channel-config.test.ts, web channels by test/http/widget-*.test.ts.

type Json = Record<string, any>;
let t: TestApp;
let builtIn: Json;
beforeAll(async () => {
  t = await createTestApp();
  builtIn = (await call('GET', '/channels')).body.items.find((c: Json) => c.type === 'api');
});
afterAll(() => t.close());

async function call(method: string, path: string, body?: unknown, key?: string) {
  const res = await t.call(method, path, body, key ? { key } : {});
  return { status: res.status, body: (await res.json()) as Json };
}

const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('the built-in api channel', () => {
  it('is listed with its view, beside the default web chat channel', async () => {
    const { status, body } = await call('GET', '/channels');
    expect(status).toBe(200);
    expect(body.items).toHaveLength(2);
    expect(body.items).toContainEqual(builtIn);
    expect(body.items).toContainEqual(expect.objectContaining({ type: 'web', provider: 'web', name: 'Website', webhook_urls: {} }));
    expect(builtIn).toEqual({
      id: expect.any(String),
      type: 'api',
      provider: 'api',
      name: 'API',
      public_id: expect.stringMatching(/^ch_[\w-]{16}$/),
      enabled: true,
      // The API channel has no customer on the other end to ask for a rating.
      csat_enabled: false,
      csat: null,
      config: {},
      secrets_set: [],
      webhook_urls: {},
      created_at: expect.stringMatching(iso),
      updated_at: expect.stringMatching(iso),
    });
  });

  it('cannot be deleted (409)', async () => {
    const { status, body } = await call('DELETE', `/channels/${builtIn.id}`);
    expect(status).toBe(409);
    expectOpenError(body, 409);
    expect(body.message).toBe('The built-in api channel cannot be deleted (disable it instead)');
    expect((await call('GET', `/channels/${builtIn.id}`)).status).toBe(200);
  });
});

describe('POST /channels', () => {
  it('creates a channel (provider defaults to the adapter’s first) and shows it', async () => {
    const { status, body } = await call('POST', '/channels', { type: 'api', name: '  Partner API  ' });
    expect(status).toBe(201);
    expect(body).toMatchObject({ type: 'api', provider: 'api', name: 'Partner API', enabled: true, config: {}, secrets_set: [], webhook_urls: {} });
    expect(body.public_id).not.toBe(builtIn.public_id);
    expect((await call('GET', `/channels/${body.id}`)).body).toEqual(body);
  });

  it('replays a repeated Idempotency-Key instead of creating a second channel', async () => {
    const post = () => t.call('POST', '/channels', { type: 'api', name: 'Once' }, { headers: { 'idempotency-key': 'ch-once' } });
    const [a, b] = [await post(), await post()];
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(((await b.json()) as Json).id).toBe(((await a.json()) as Json).id);
    const named = (await call('GET', '/channels?limit=100')).body.items.filter((c: Json) => c.name === 'Once');
    expect(named).toHaveLength(1);
  });

  it('names the providers a kind offers when given another', async () => {
    const { status, body } = await call('POST', '/channels', { type: 'whatsapp', provider: 'vonage', name: 'WA', config: {} });
    expect(status).toBe(400);
    expect(body.message).toBe('Unknown provider vonage for a whatsapp channel');
    expect(body.details).toEqual([{ path: 'provider', message: 'Expected one of: twilio, meta' }]);
  });

  it.each([
    ['an unknown type', { type: 'fax', name: 'Fax' }, 'type'],
    ['another adapter’s provider', { type: 'api', provider: 'twilio', name: 'X' }, 'provider'],
    ['config the adapter does not know', { type: 'api', name: 'X', config: { token: 'abc' } }, 'config'],
    ['no name', { type: 'api' }, 'name'],
    ['a blank name', { type: 'api', name: '   ' }, 'name'],
    ['an unknown field', { type: 'api', name: 'X', secret: 'y' }, '(body)'],
  ])('refuses %s with 400', async (_what, payload, path) => {
    const { status, body } = await call('POST', '/channels', payload);
    expect(status).toBe(400);
    expectOpenError(body, 400);
    expect(body.details.map((d: Json) => d.path)).toContain(path);
  });
});

describe('PATCH, DELETE and test', () => {
  it('renames and disables a channel, keeping the rest', async () => {
    const created = (await call('POST', '/channels', { type: 'api', name: 'Old name' })).body;
    await new Promise((r) => setTimeout(r, 5));
    const { status, body } = await call('PATCH', `/channels/${created.id}`, { name: 'New name', enabled: false, config: {} });
    expect(status).toBe(200);
    expect(body).toEqual({ ...created, name: 'New name', enabled: false, updated_at: expect.stringMatching(iso) });
    expect(Date.parse(body.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    expect((await call('PATCH', `/channels/${created.id}`, { config: { bogus: true } })).status).toBe(400);
    expect((await call('PATCH', `/channels/${created.id}`, { type: 'sms' })).status).toBe(400);
    expect((await call('GET', `/channels/${created.id}`)).body.name).toBe('New name');
  });

  it('soft-deletes a second api channel: gone from get, list, patch and test', async () => {
    const created = (await call('POST', '/channels', { type: 'api', name: 'Temporary' })).body;
    const { status, body } = await call('DELETE', `/channels/${created.id}`);
    expect(status).toBe(200);
    expect(body).toEqual({ success: true });
    for (const [method, path, payload] of [
      ['GET', `/channels/${created.id}`],
      ['PATCH', `/channels/${created.id}`, { name: 'x' }],
      ['DELETE', `/channels/${created.id}`],
      ['POST', `/channels/${created.id}/test`],
    ] as const) {
      expect((await call(method, path, payload)).status, `${method} ${path}`).toBe(404);
    }
    const ids = (await call('GET', '/channels?limit=100')).body.items.map((c: Json) => c.id);
    expect(ids).not.toContain(created.id);
    expect(ids).toContain(builtIn.id);
  });

  it('tests a channel: the adapter can be built from the stored config', async () => {
    const { status, body } = await call('POST', `/channels/${builtIn.id}/test`);
    expect(status).toBe(200);
    expect(body).toEqual({ ok: true, detail: 'The api adapter (api) accepts this configuration' });
  });
});

describe('GET /channels', () => {
  it('pages oldest first and filters by type', async () => {
    const all = (await call('GET', '/channels?limit=100')).body.items.map((c: Json) => c.id);
    // The built-in channels come first (created together, so in either order).
    expect(all.slice(0, 2)).toContain(builtIn.id);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: Json = (await call('GET', `/channels?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).body;
      expect(page.items).toHaveLength(1);
      seen.push(page.items[0].id);
      cursor = page.next;
    }
    expect(seen).toEqual(all);
    expect((await call('GET', '/channels?type=api&limit=100')).body.items).toHaveLength(all.length - 1);
    expect((await call('GET', '/channels?type=web&limit=100')).body.items).toHaveLength(1);
    expect((await call('GET', '/channels?type=sms')).body).toEqual({ items: [], next: null });
    expect((await call('GET', '/channels?type=fax')).status).toBe(400);
    expect((await call('GET', '/channels?cursor=nope')).status).toBe(400);
  });
});

describe('organization scoping and ids', () => {
  it('404s another organization’s channel and 400s a malformed id', async () => {
    const other = await createOrganization(t.deps, 'Other org');
    for (const [method, path, payload] of [
      ['GET', `/channels/${builtIn.id}`],
      ['PATCH', `/channels/${builtIn.id}`, { name: 'stolen' }],
      ['DELETE', `/channels/${builtIn.id}`],
      ['POST', `/channels/${builtIn.id}/test`],
    ] as const) {
      expect((await call(method, path, payload, other.adminKey)).status, `${method} ${path}`).toBe(404);
    }
    const theirs = (await call('GET', '/channels', undefined, other.adminKey)).body.items;
    expect(theirs.map((c: Json) => c.id)).not.toContain(builtIn.id);
    expect(theirs).toHaveLength(2); // their own api and web channels
    expect((await call('GET', '/channels/123')).status).toBe(400);
    expect((await call('GET', `/channels/${builtIn.id}`)).body.name).toBe('API');
  });
});
