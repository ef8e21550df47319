import { Validator } from '@seriousme/openapi-schema-validator';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeys, webhookEndpoints } from '../../src/db/schema/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenError } from '../helpers/contract.ts';

// /webhook-endpoints*: create (the secret shown once, never replayed), list, get, patch, delete, rotate;
// validation, roles and organization scoping. Deliveries and retries: webhook-endpoints-deliveries.test.ts.

type Json = Record<string, any>;
let t: TestApp;
let otherKey: string;

beforeAll(async () => {
  t = await createTestApp();
  otherKey = (await createOrganization(t.deps, 'Other org')).adminKey;
});
afterAll(() => t.close());

const call = (method: string, path: string, body?: unknown, opts: { key?: string; headers?: Record<string, string> } = {}) =>
  t.json(method, path, body, opts);

const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const create = (body: Json = {}) =>
  call('POST', '/webhook-endpoints', { url: 'https://hooks.example.com/sb', events: ['conversation.closed'], ...body });

describe('POST /webhook-endpoints', () => {
  it('creates an endpoint and shows its whsec_ secret once, sealed at rest', async () => {
    const { status, body } = await create({ description: '  CRM sync ' });
    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.any(String),
      url: 'https://hooks.example.com/sb',
      description: 'CRM sync',
      events: ['conversation.closed'],
      enabled: true,
      disabled_reason: null,
      created_at: expect.stringMatching(iso),
      updated_at: expect.stringMatching(iso),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
    });
    const [row] = await t.database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, body.id));
    expect(row!.secret).not.toContain(body.secret.slice(6));
    expect(t.deps.secrets.open(row!.secret)).toBe(body.secret);

    const { secret, ...view } = body;
    const one = await call('GET', `/webhook-endpoints/${body.id}`);
    expect(one).toEqual({ status: 200, body: view });
    const list = await call('GET', '/webhook-endpoints');
    expect(list.body.items).toContainEqual(view);
    expect(JSON.stringify([one.body, list.body])).not.toContain(secret);
  });

  it('keeps "*" alone and collapses repeated names', async () => {
    expect((await create({ events: ['conversation.closed', '*'] })).body.events).toEqual(['*']);
    const dupes = await create({ events: ['message.status', 'conversation.assigned', 'message.status'] });
    expect(dupes.body.events).toEqual(['message.status', 'conversation.assigned']);
  });

  it.each([
    ['an ftp URL', { url: 'ftp://hooks.example.com/x' }, 'url'],
    ['a javascript: URL', { url: 'javascript:alert(1)' }, 'url'],
    ['a file URL', { url: 'file:///etc/passwd' }, 'url'],
    ['no URL', { url: undefined }, 'url'],
    ['an unknown event', { events: ['conversation.status_changed'] }, 'events.0'],
    ['no events', { events: [] }, 'events'],
    ['an unknown field', { secret: 'whsec_mine' }, '(body)'],
  ])('refuses %s (400 with details)', async (_what, patch, path) => {
    const { status, body } = await create(patch);
    expect(status).toBe(400);
    expectOpenError(body, 400);
    expect(body.details.map((d: Json) => d.path)).toContain(path);
  });

  it('refuses malformed JSON with a 400', async () => {
    const res = await t.call('POST', '/webhook-endpoints', '{"url":', {});
    expect(res.status).toBe(400);
  });

  it('replays the first response for a repeated Idempotency-Key, without the secret shown once', async () => {
    const headers = { 'idempotency-key': 'wh-create-1' };
    const first = await call('POST', '/webhook-endpoints', { url: 'https://a.example/x', events: ['*'] }, { headers });
    const again = await call('POST', '/webhook-endpoints', { url: 'https://a.example/x', events: ['*'] }, { headers });
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual({ ...first.body, secret: null, secret_shown_once: expect.stringMatching(/The secret field was shown only in the first response.*rotate it/) });
  });
});

describe('PATCH, DELETE and rotate-secret', () => {
  it('updates url, events, description and enabled', async () => {
    const { body: created } = await create();
    const { status, body } = await call('PATCH', `/webhook-endpoints/${created.id}`, {
      url: 'http://localhost:9000/in',
      events: ['*'],
      description: null,
      enabled: false,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ url: 'http://localhost:9000/in', events: ['*'], description: null, enabled: false });
    expect(body.secret).toBeUndefined();
    expect((await call('PATCH', `/webhook-endpoints/${created.id}`, { url: 'gopher://x' })).status).toBe(400);
    expect((await call('PATCH', `/webhook-endpoints/${created.id}`, { enabled: 'yes' })).status).toBe(400);
  });

  it('rotates the secret: a new one shown once, the old one kept (sealed) for the overlap', async () => {
    const { body: created } = await create();
    const { status, body } = await call('POST', `/webhook-endpoints/${created.id}/rotate-secret`);
    expect(status).toBe(200);
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.secret).not.toBe(created.secret);
    const [row] = await t.database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, created.id));
    expect(t.deps.secrets.open(row!.secret)).toBe(body.secret);
    expect(t.deps.secrets.open(row!.previousSecret!)).toBe(created.secret);
    expect(row!.previousSecretExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(JSON.stringify((await call('GET', `/webhook-endpoints/${created.id}`)).body)).not.toContain('whsec_');
  });

  it('replays a rotation without its new secret, and rotates only once', async () => {
    const { body: created } = await create();
    const headers = { 'idempotency-key': `rotate-${created.id}` };
    const first = await call('POST', `/webhook-endpoints/${created.id}/rotate-secret`, undefined, { headers });
    expect(first.body.secret).toMatch(/^whsec_/);
    const again = await call('POST', `/webhook-endpoints/${created.id}/rotate-secret`, undefined, { headers });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, secret: null, secret_shown_once: expect.stringMatching(/rotate it again/) });
    const [row] = await t.database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, created.id));
    expect(t.deps.secrets.open(row!.secret)).toBe(first.body.secret);
    const [record] = await t.database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, headers['idempotency-key']));
    expect(JSON.stringify(record!.response)).not.toContain(first.body.secret);
  });

  it('deletes an endpoint', async () => {
    const { body: created } = await create();
    expect(await call('DELETE', `/webhook-endpoints/${created.id}`)).toEqual({ status: 200, body: { success: true } });
    expect((await call('GET', `/webhook-endpoints/${created.id}`)).status).toBe(404);
    expect((await call('DELETE', `/webhook-endpoints/${created.id}`)).status).toBe(404);
  });
});

describe('scoping, roles and paging', () => {
  it('hides another organization’s endpoints (404) and lists only one’s own', async () => {
    const { body: mine } = await create();
    for (const [method, path, body] of [
      ['GET', `/webhook-endpoints/${mine.id}`],
      ['PATCH', `/webhook-endpoints/${mine.id}`, { enabled: false }],
      ['DELETE', `/webhook-endpoints/${mine.id}`],
      ['POST', `/webhook-endpoints/${mine.id}/rotate-secret`],
      ['GET', `/webhook-endpoints/${mine.id}/deliveries`],
    ] as const) {
      const res = await call(method, path, body, { key: otherKey });
      expect(res.status, `${method} ${path}`).toBe(404);
      expectOpenError(res.body, 404);
    }
    expect((await call('GET', '/webhook-endpoints', undefined, { key: otherKey })).body.items).toEqual([]);
    expect((await call('GET', `/webhook-endpoints/${mine.id}`)).body.enabled).toBe(true);
  });

  it('needs an admin key', async () => {
    const { body: widget } = await call('POST', '/api-keys', { name: 'widget', role: 'widget' });
    expect((await call('GET', '/webhook-endpoints', undefined, { key: widget.key })).status).toBe(403);
    expect((await t.app.request('/webhook-endpoints')).status).toBe(401);
  });

  it('pages oldest first with a cursor; a bad cursor or id is a 400', async () => {
    const all = (await call('GET', '/webhook-endpoints?limit=100')).body.items as Json[];
    const first = await call('GET', '/webhook-endpoints?limit=2');
    expect(first.body.items).toEqual(all.slice(0, 2));
    const second = await call('GET', `/webhook-endpoints?limit=2&cursor=${first.body.next}`);
    expect(second.body.items).toEqual(all.slice(2, 4));
    expect((await call('GET', '/webhook-endpoints?cursor=nope')).status).toBe(400);
    expect((await call('GET', '/webhook-endpoints/not-a-uuid')).status).toBe(400);
  });
});

describe('OpenAPI', () => {
  it('documents every operation in a valid OpenAPI 3.1 document', async () => {
    const doc = (await (await t.app.request('/openapi.json')).json()) as Json;
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/webhook-endpoints')).sort()).toEqual([
      '/webhook-endpoints',
      '/webhook-endpoints/{id}',
      '/webhook-endpoints/{id}/deliveries',
      '/webhook-endpoints/{id}/deliveries/{delivery_id}/retry',
      '/webhook-endpoints/{id}/rotate-secret',
    ]);
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
  });
});
