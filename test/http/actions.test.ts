import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actions, events } from '../../src/db/schema/index.ts';
import { createOrganization, insertApiKey } from '../../src/domain/organization/organizations.ts';
import { ALLOW_LOOPBACK, createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenContract } from '../helpers/contract.ts';
import { type ActionPeer, startActionPeer } from '../peers/action-peer.ts';

// /actions* and the run endpoint: CRUD, validation, roles, organization scoping, header secrets never shown
// again, and runs against a local HTTP peer (loopback allowed here, as an operator would with
// OUTBOUND_ALLOW_CIDRS) and, without that, refused by the outbound guard: an error in the history, not a 5xx.

type Json = Record<string, any>;
const SECRET = 'Bearer s3cr3t-action-token';
const ORDER_SCHEMA = { type: 'object', properties: { order_id: { type: 'string', minLength: 1 }, verbose: { type: 'boolean' } }, required: ['order_id'] };

let t: TestApp;
let guarded: TestApp;
let peer: ActionPeer;
let agentKey: string;
let otherKey: string;

beforeAll(async () => {
  [t, guarded, peer] = await Promise.all([createTestApp(ALLOW_LOOPBACK), createTestApp(), startActionPeer()]);
  agentKey = (await insertApiKey(t.deps.db, t.orgId, 'agent', 'agent')).key;
  otherKey = (await createOrganization(t.deps, 'Other org')).adminKey;
});
afterAll(async () => {
  await Promise.all([t?.close(), guarded?.close(), peer?.close()]);
});

const lookup = (over: Json = {}) => ({
  name: `lookup_order_${Math.random().toString(36).slice(2, 8)}`,
  description: 'Find an order by its number',
  method: 'GET',
  url_template: `${peer.base}/orders/{order_id}`,
  headers: { Authorization: SECRET },
  parameters: ORDER_SCHEMA,
  ...over,
});
const newSession = async (app: TestApp = t) =>
  (await app.json('POST', '/chat/sessions', { contact: { email: `c${Math.random()}@example.com` } })).body.id as string;
const history = async (app: TestApp, session: string) =>
  ((await app.json('GET', `/chat/sessions/${session}/history?limit=100&include_status_changes=true`)).body.items as Json[]).filter((i) => i.event.type.startsWith('action_'));
const run = (app: TestApp, session: string, action: string, parameters: Json, key?: string) =>
  app.json('POST', `/chat/sessions/${session}/actions/${action}/run`, { parameters }, key ? { key } : {});

describe('actions CRUD', () => {
  it('creates, reads, lists by name, updates and deletes; header values never come back', async () => {
    const created = await t.json('POST', '/actions', lookup({ name: 'b_lookup' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'b_lookup', method: 'GET', headers_set: ['Authorization'], run_by: ['agent', 'admin'], parameters: ORDER_SCHEMA });
    const id = created.body.id as string;
    await t.json('POST', '/actions', lookup({ name: 'a_lookup', headers: undefined }));

    const got = await t.json('GET', `/actions/${id}`);
    const list = await t.json('GET', '/actions?limit=1');
    expect(list.body.items.map((a: Json) => a.name)).toEqual(['a_lookup']);
    const second = await t.json('GET', `/actions?limit=1&cursor=${list.body.next}`);
    expect(second.body.items.map((a: Json) => a.name)).toEqual(['b_lookup']);
    for (const body of [created.body, got.body, list.body, second.body]) expect(JSON.stringify(body)).not.toContain('s3cr3t');
    const [row] = await t.deps.db.select().from(actions).where(eq(actions.id, id));
    expect(row!.headers).toMatch(/^v1\./);
    expect(row!.headers).not.toContain('s3cr3t');

    const patched = await t.json('PATCH', `/actions/${id}`, { description: 'Look it up', headers: { 'X-Extra': 'abcdef1', Authorization: null }, run_by: ['ai', 'agent'] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ description: 'Look it up', headers_set: ['X-Extra'], run_by: ['ai', 'agent'] });

    expect((await t.json('DELETE', `/actions/${id}`)).body).toEqual({ success: true });
    expect((await t.json('GET', `/actions/${id}`)).status).toBe(404);
  });

  it('does not repeat header values on an Idempotency-Key replay either', async () => {
    const headers = { 'idempotency-key': `actions-${Math.random()}` };
    const body = lookup();
    const first = await t.json('POST', '/actions', body, { headers });
    const again = await t.json('POST', '/actions', body, { headers });
    expect(again.body.id).toBe(first.body.id);
    expect(JSON.stringify(again.body)).not.toContain('s3cr3t');
  });

  it.each([
    ['a name that is no tool name', { name: 'look up' }, 'name'],
    ['the AI’s own tool name', { name: 'handoff' }, 'name'],
    ['an unknown method', { method: 'TRACE' }, 'method'],
    ['a URL that is not http(s)', { url_template: 'ftp://example.com/x' }, 'url_template'],
    ['a parameter in the host', { url_template: 'https://{tenant}.example.com/orders' }, 'url_template'],
    ['a loopback literal', { url_template: 'http://127.0.0.1:9/x' }, 'url_template'],
    ['a schema that is not an object schema', { parameters: { type: 'string' } }, 'parameters'],
    ['a schema ajv refuses', { parameters: { type: 'object', properties: { a: { type: 'nope' } } } }, 'parameters'],
    ['a placeholder the schema lacks', { url_template: 'https://example.com/{missing}' }, 'parameters'],
    ['a header value over two lines', { headers: { 'X-Key': 'a\r\nHost: evil' } }, 'headers.X-Key'],
    ['a header the client sets', { headers: { Host: 'evil.example' } }, 'headers.Host'],
    ['an unknown field', { secret: 'x' }, '(body)'],
  ])('refuses %s with a 400 naming the field', async (_what, over, path) => {
    const res = await guarded.json('POST', '/actions', lookup({ url_template: 'https://shop.example.com/orders/{order_id}', ...over }));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.details?.map((d: Json) => d.path).join(' ') ?? '').toContain(path);
  });

  it('refuses a second action of the same name with a 409', async () => {
    const body = lookup();
    expect((await t.json('POST', '/actions', body)).status).toBe(201);
    expect((await t.json('POST', '/actions', body)).status).toBe(409);
  });

  it('wants the headers again when the URL moves to another host', async () => {
    const id = (await t.json('POST', '/actions', lookup())).body.id;
    const moved = await t.json('PATCH', `/actions/${id}`, { url_template: 'https://elsewhere.example/orders/{order_id}' });
    expect(moved.status).toBe(400);
    expect(moved.body.details).toEqual([expect.objectContaining({ path: 'headers.Authorization' })]);
    const samehost = await t.json('PATCH', `/actions/${id}`, { url_template: `${peer.base}/v2/orders/{order_id}` });
    expect(samehost.status).toBe(200);
    const given = await t.json('PATCH', `/actions/${id}`, { url_template: 'https://elsewhere.example/orders/{order_id}', headers: { Authorization: 'Bearer new-token' } });
    expect(given.status, JSON.stringify(given.body)).toBe(200);
  });

  it('lets agents read actions, not write them', async () => {
    const id = (await t.json('POST', '/actions', lookup())).body.id;
    expect((await t.json('GET', `/actions/${id}`, undefined, { key: agentKey })).status).toBe(200);
    expect((await t.json('POST', '/actions', lookup(), { key: agentKey })).status).toBe(403);
    expect((await t.json('PATCH', `/actions/${id}`, { description: 'x' }, { key: agentKey })).status).toBe(403);
    expect((await t.json('DELETE', '/actions', undefined, { key: agentKey })).status).toBe(403);
  });

  it('confines every operation to the caller’s organization', async () => {
    const id = (await t.json('POST', '/actions', lookup())).body.id;
    const session = await newSession();
    const key = { key: otherKey };
    expect((await t.json('GET', `/actions/${id}`, undefined, key)).status).toBe(404);
    expect((await t.json('PATCH', `/actions/${id}`, { description: 'x' }, key)).status).toBe(404);
    expect((await t.json('DELETE', `/actions/${id}`, undefined, key)).status).toBe(404);
    expect((await t.json('GET', '/actions', undefined, key)).body.items).toEqual([]);
    expect((await run(t, session, id, { order_id: 'A1' }, otherKey)).status).toBe(404);
    // Deleting all of the other organization's actions leaves ours.
    await t.json('DELETE', '/actions', undefined, key);
    expect((await t.json('GET', `/actions/${id}`)).status).toBe(200);
  });
});

describe('running an action in a session', () => {
  it('fills the URL, sends the headers, answers with the result and records both events', async () => {
    const action = (await t.json('POST', '/actions', lookup())).body;
    const session = await newSession();
    const before = peer.requests.length;
    const res = await run(t, session, action.id, { order_id: 'A/10 01', verbose: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ ok: true, status: 200, error: null, action_id: action.id, call_id: expect.any(String) });
    const seen = peer.requests[before]!;
    expect(seen).toMatchObject({ method: 'GET', path: '/orders/A%2F10%2001?verbose=true' });
    expect(seen.headers.authorization).toBe(SECRET);
    // The peer echoes the Authorization header: what Switchboard keeps of the answer has it scrubbed.
    expect(res.body.result).toMatchObject({ ok: true, path: '/orders/A%2F10%2001?verbose=true', authorization: '[redacted]' });

    const items = await history(t, session);
    expect(items.map((i) => i.event.type)).toEqual(['action_called', 'action_completed']);
    expect(items[0]!.event.context).toMatchObject({ call_id: res.body.call_id, action: { id: action.id, name: action.name }, called_by: { type: 'api_key' }, parameters: { order_id: 'A/10 01' } });
    expect(items[1]!.event.content.text).toBe(`Action ${action.name} succeeded (HTTP 200)`);
    expect(JSON.stringify(items)).not.toContain('s3cr3t');
    // Open's clients do not get Switchboard's own event types unasked: the history they see stays in Open's schema.
    const plain = await t.json('GET', `/chat/sessions/${session}/history?limit=100`);
    expectOpenContract('get', '/chat/sessions/{session_id}/history', 200, plain.body);
    expect(plain.body.items.filter((i: Json) => i.event.type.startsWith('action_'))).toEqual([]);
    const logged = await t.deps.db.select().from(events).where(and(eq(events.orgId, t.orgId), eq(events.sessionId, session)));
    const types = logged.map((e) => e.type).filter((type) => type.startsWith('action.'));
    expect(types).toEqual(['action.called', 'action.completed']);
    expect(logged.find((e) => e.type === 'action.completed')!.data).toMatchObject({ call_id: res.body.call_id, ok: true, status: 200 });
  });

  it('sends the other parameters as a JSON body on a POST', async () => {
    const schema = { type: 'object', properties: { order_id: { type: 'string' }, reason: { type: 'string' } }, required: ['order_id'] };
    const action = (await t.json('POST', '/actions', lookup({ method: 'POST', url_template: `${peer.base}/orders/{order_id}/cancel`, parameters: schema }))).body;
    const before = peer.requests.length;
    const res = await run(t, await newSession(), action.id, { order_id: 'A1', reason: 'too late' });
    expect(res.body.ok).toBe(true);
    expect(peer.requests[before]).toMatchObject({ method: 'POST', path: '/orders/A1/cancel', body: '{"reason":"too late"}' });
    expect(peer.requests[before]!.headers['content-type']).toBe('application/json');
  });

  it('answers 400 for parameters the schema refuses, and records nothing', async () => {
    const action = (await t.json('POST', '/actions', lookup())).body;
    const session = await newSession();
    const res = await run(t, session, action.id, { verbose: 'yes' });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: Json) => d.path)).toEqual(expect.arrayContaining(['parameters', 'parameters.verbose']));
    expect(await history(t, session)).toEqual([]);
  });

  it('refuses a caller whose role is not in run_by (403)', async () => {
    const action = (await t.json('POST', '/actions', lookup({ run_by: ['admin'] }))).body;
    const res = await run(t, await newSession(), action.id, { order_id: 'A1' }, agentKey);
    expect(res.status).toBe(403);
  });

  it('reports a non-2xx answer and an answer over the size cap as failed runs, not errors', async () => {
    const action = (await t.json('POST', '/actions', lookup())).body;
    const session = await newSession();
    peer.enqueue({ status: 500, json: { message: 'database down' } }, { status: 200, text: 'x'.repeat(300_000) });
    const failed = await run(t, session, action.id, { order_id: 'A1' });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ ok: false, status: 500, error: 'HTTP 500: {"message":"database down"}' });
    const big = await run(t, session, action.id, { order_id: 'A1' });
    expect(big.body).toMatchObject({ ok: false, status: null, error: 'the response is over the 262144-byte limit' });
    const completed = (await history(t, session)).filter((i) => i.event.type === 'action_completed');
    expect(completed.map((i) => i.event.context.ok)).toEqual([false, false]);
  });

  it('is refused by the outbound guard at an internal address: a clear error event, not a 5xx', async () => {
    const action = (await guarded.json('POST', '/actions', lookup({ url_template: `http://localhost:${peer.port}/orders/{order_id}` }))).body;
    const session = await newSession(guarded);
    const before = peer.requests.length;
    const res = await run(guarded, session, action.id, { order_id: 'A1' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, status: null, error: 'refused: address not allowed: localhost resolves to a loopback address' });
    expect(peer.requests.length).toBe(before);
    const [, completed] = await history(guarded, session);
    expect(completed!.event.content.text).toBe(`Action ${action.name} failed: refused: address not allowed: localhost resolves to a loopback address`);
  });

  it('answers 404 for a session or an action that does not exist', async () => {
    const action = (await t.json('POST', '/actions', lookup())).body;
    expect((await run(t, '00000000-0000-4000-8000-000000000000', action.id, { order_id: 'A1' })).status).toBe(404);
    expect((await run(t, await newSession(), '00000000-0000-4000-8000-000000000000', {})).status).toBe(404);
  });
});

describe("Open's collection operations", () => {
  it('imports actions from an OpenAPI document (PUT /actions) and deletes them all (DELETE /actions)', async () => {
    const org = await createOrganization(t.deps, 'Importer');
    const doc = {
      openapi: '3.0.3',
      info: { title: 'Shop', version: '1' },
      servers: [{ url: 'https://shop.example.com/api' }],
      paths: {
        '/orders/{order_id}': {
          parameters: [{ name: 'order_id', in: 'path', required: true, schema: { type: 'string' } }],
          get: { operationId: 'getOrder', summary: 'Get an order', parameters: [{ name: 'expand', in: 'query', schema: { type: 'boolean' } }] },
          delete: { operationId: 'handoff', summary: 'clashes with the AI tool' },
        },
        '/refunds': {
          post: {
            operationId: 'createRefund',
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Refund' } } } },
          },
        },
      },
      components: { schemas: { Refund: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] } } },
    };
    const form = new FormData();
    form.append('file', new Blob([JSON.stringify(doc)], { type: 'application/json' }), 'shop.json');
    const res = await t.app.request('/actions', { method: 'PUT', headers: { authorization: `Bearer ${org.adminKey}` }, body: form });
    const body = (await res.json()) as Json;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.created.map((a: Json) => [a.name, a.method, a.url_template])).toEqual([
      ['getOrder', 'GET', 'https://shop.example.com/api/orders/{order_id}'],
      ['createRefund', 'POST', 'https://shop.example.com/api/refunds'],
    ]);
    expect(body.created[0].parameters).toEqual({
      type: 'object',
      properties: { order_id: { type: 'string' }, expand: { type: 'boolean' } },
      required: ['order_id'],
    });
    expect(body.created[1].parameters.required).toEqual(['amount']);
    expect(body.skipped).toEqual([expect.objectContaining({ name: 'handoff' })]);

    const key = { key: org.adminKey };
    expect((await t.json('DELETE', '/actions', undefined, key)).body).toEqual({ success: true, deleted: 2 });
    expect((await t.json('GET', '/actions', undefined, key)).body.items).toEqual([]);
  });

  it('refuses a file that is not an OpenAPI document with a 400', async () => {
    const form = new FormData();
    form.append('file', new Blob(['{"swagger":"2.0"}']), 'old.json');
    const res = await t.call('PUT', '/actions', undefined, { headers: {} }).catch(() => null);
    expect(res?.status).toBe(400);
    const bad = await t.app.request('/actions', { method: 'PUT', headers: { authorization: `Bearer ${t.adminKey}` }, body: form });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).details).toEqual([expect.objectContaining({ path: 'file' })]);
  });
});
