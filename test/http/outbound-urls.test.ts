import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, messages, webhookEndpoints } from '../../src/db/schema/index.ts';
import { insertApiKey } from '../../src/domain/organization/organizations.ts';
import { ALLOW_LOOPBACK, createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenError } from '../helpers/contract.ts';

// URLs the server will later request, refused when they are stored if their host is an internal IP literal
// (every spelling of one): webhook endpoints, the AI base URL, attachment links an agent sends. 400 with the
// reason; nothing is stored. A name (localhost) passes here and is refused when connecting (the guard's tests);
// an operator's OUTBOUND_ALLOW_CIDRS lets internal literals through.

let t: TestApp;
let allowing: TestApp;
let agentKey: string;

beforeAll(async () => {
  [t, allowing] = await Promise.all([createTestApp(), createTestApp(ALLOW_LOOPBACK)]);
  const [agent] = await t.deps.db.insert(agents).values({ orgId: t.orgId, name: 'Grace', email: 'grace@example.com' }).returning();
  agentKey = (await insertApiKey(t.deps.db, t.orgId, 'agent', 'Grace key', undefined, agent!.id)).key;
});
afterAll(() => Promise.all([t.close(), allowing.close()]));

const LITERALS = [
  ['127.0.0.1', 'http://127.0.0.1:8080/hooks', '127.0.0.1 is a loopback address'],
  ['[::1]', 'http://[::1]:8080/hooks', '::1 is a loopback address'],
  ['[::ffff:127.0.0.1]', 'http://[::ffff:127.0.0.1]/hooks', '::ffff:7f00:1 (127.0.0.1) is a loopback address'],
  ['0.0.0.0', 'http://0.0.0.0:6379/', '0.0.0.0 is an unspecified address'],
  ['2130706433', 'http://2130706433/hooks', '127.0.0.1 is a loopback address'],
  ['127.1', 'http://127.1/hooks', '127.0.0.1 is a loopback address'],
  ['10.x', 'http://10.1.2.3/hooks', '10.1.2.3 is a private address'],
  ['169.254.169.254', 'http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
  ['100.64.x', 'https://100.64.0.9/hooks', '100.64.0.9 is a carrier-grade NAT address'],
] as const;

function expectRefused(res: { status: number; body: Record<string, any> }, path: string, reason: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expectOpenError(res.body, 400);
  expect(res.body.message).toContain(reason);
  expect(res.body.details).toEqual([{ path, message: expect.stringContaining(`${reason}: Switchboard sends no requests to`) }]);
  expect(res.body.message).toContain('OUTBOUND_ALLOW_CIDRS');
}

describe('webhook endpoints', () => {
  it.each(LITERALS)('refuses %s on create and on patch', async (_form, url, reason) => {
    expectRefused(await t.json('POST', '/webhook-endpoints', { url, events: ['*'] }), 'url', reason);
    const ok = await t.json('POST', '/webhook-endpoints', { url: 'https://hooks.example.com/in', events: ['*'] });
    expect(ok.status).toBe(201);
    expectRefused(await t.json('PATCH', `/webhook-endpoints/${ok.body.id}`, { url }), 'url', reason);
    const [row] = await t.deps.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, ok.body.id));
    expect(row!.url).toBe('https://hooks.example.com/in');
  });

  it('stores only the endpoints that were not refused', async () => {
    const urls = (await t.deps.db.select({ url: webhookEndpoints.url }).from(webhookEndpoints)).map((r) => r.url);
    expect(new Set(urls)).toEqual(new Set(['https://hooks.example.com/in']));
  });

  it('takes a name (checked when delivering) and, where the operator allows it, an internal address', async () => {
    expect((await t.json('POST', '/webhook-endpoints', { url: 'http://localhost:9000/in', events: ['*'] })).status).toBe(201);
    expect((await allowing.json('POST', '/webhook-endpoints', { url: 'http://127.0.0.1:9000/in', events: ['*'] })).status).toBe(201);
    expect((await allowing.json('POST', '/webhook-endpoints', { url: 'http://[::1]:9000/in', events: ['*'] })).status).toBe(201);
    expectRefused(await allowing.json('POST', '/webhook-endpoints', { url: 'http://10.0.0.1/in', events: ['*'] }), 'url', '10.0.0.1 is a private address');
  });
});

describe('PATCH /settings/ai base_url', () => {
  it.each(LITERALS)('refuses %s', async (_form, url, reason) => {
    expectRefused(await t.json('PATCH', '/settings/ai', { responder: 'openai', base_url: url, model: 'm' }), 'base_url', reason);
    expect((await t.json('GET', '/settings/ai')).body).toMatchObject({ responder: 'knowledge', base_url: null });
  });

  it('takes a public URL, and a local model where the operator allows loopback', async () => {
    expect((await t.json('PATCH', '/settings/ai', { base_url: 'https://api.openai.com/v1' })).status).toBe(200);
    expect((await allowing.json('PATCH', '/settings/ai', { base_url: 'http://127.0.0.1:11434/v1' })).status).toBe(200);
  });
});

describe('POST /chat/sessions/{id}/send attachment urls', () => {
  it.each(LITERALS)('refuses %s from an agent key, storing nothing', async (_form, url, reason) => {
    const session = (await t.json('POST', '/chat/sessions', { contact: { email: `c${Math.random()}@example.com` } })).body.id;
    const file = { name: 'report.pdf', mime_type: 'application/pdf', url };
    const safe = { name: 'ok.png', mime_type: 'image/png', url: 'https://cdn.example.com/ok.png' };
    const res = await t.json('POST', `/chat/sessions/${session}/send`, { sender: 'agent', message: { type: 'text', text: 'here', attachments: [safe, file] } }, { key: agentKey });
    expectRefused(res, 'message.attachments.1.url', reason);
    expect(await t.deps.db.select().from(messages).where(eq(messages.sessionId, session))).toEqual([]);
  });

  it('takes a public link, or a name (checked when a channel fetches it)', async () => {
    const session = (await t.json('POST', '/chat/sessions', { contact: { email: 'named@example.com' } })).body.id;
    for (const url of ['https://cdn.example.com/a.png', 'http://localhost:8080/a.png']) {
      const body = { sender: 'agent', message: { type: 'text', text: 'x', attachments: [{ name: 'a.png', mime_type: 'image/png', url }] } };
      expect((await t.json('POST', `/chat/sessions/${session}/send`, body, { key: agentKey })).status).toBe(201);
    }
  });
});
