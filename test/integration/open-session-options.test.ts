import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts, events, sessions } from '../../src/db/schema/index.ts';
import { startEventRelay } from '../../src/domain/relays/event-fanout.ts';
import { createEndpoint } from '../../src/domain/webhooks/webhook-endpoint-store.ts';
import { startWorkers, type RunningWorkers } from '../../workers/main.ts';
import { ALLOW_LOOPBACK, createTestApp, type TestApp } from '../helpers/app.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';

// Open's session options that change what happens after the request, with real workers, Redis, database and a
// real webhook receiver: session_closed_payload (stored, carried in conversation.closed), reflect_status_change_
// for_integration: false (no webhook echo), generate_summary_and_sentiment_on_resolve: false (insights without a
// summary), and the session's language (from the contact, else detected from the customer's words).

let t: TestApp;
let workers: RunningWorkers;
let hook: WebhookReceiver;

beforeAll(async () => {
  t = await createTestApp({ TURN_BURST_MS: '50', ...ALLOW_LOOPBACK });
  workers = startWorkers(t.deps, { sweepIntervalMs: 200 });
  hook = await startWebhookReceiver();
});
afterAll(async () => {
  await workers.close();
  await t.close();
  await hook.close();
});

const json = (res: Response): Promise<any> => res.json();
async function create(body: unknown = {}): Promise<string> {
  const res = await t.call('POST', '/chat/sessions', body);
  expect(res.status).toBe(201);
  return (await json(res)).id;
}
const sessionRow = async (id: string) => (await t.database.db.select().from(sessions).where(eq(sessions.id, id)))[0]!;
const closedEvent = async (id: string) =>
  (await t.database.db.select().from(events).where(eq(events.sessionId, id))).find((e) => e.type === 'conversation.closed');

describe('closing through PATCH /chat/sessions/{id}', () => {
  it('stores session_closed_payload, carries it in conversation.closed, and forgets it on reopen', async () => {
    const id = await create();
    const payload = { reason: 'duplicate', ticket: { id: 7 } };
    const res = await t.call('PATCH', `/chat/sessions/${id}`, { status: 'closed_resolved', session_closed_payload: payload });
    expect(res.status).toBe(200);
    expect((await sessionRow(id)).closedPayload).toEqual(payload);
    expect((await closedEvent(id))!.data).toMatchObject({ to: 'closed_resolved', session_closed_payload: payload });

    expect((await t.call('PATCH', `/chat/sessions/${id}`, { status: 'open' })).status).toBe(200);
    expect((await sessionRow(id)).closedPayload).toBeNull();
  });

  it('sends a close to webhooks unless reflect_status_change_for_integration is false', async () => {
    await createEndpoint(t.deps, t.orgId, { url: hook.url, events: ['conversation.closed'] });
    const relay = startEventRelay(t.deps, { intervalMs: 50 });
    try {
      const quiet = await create();
      const loud = await create();
      await t.call('PATCH', `/chat/sessions/${quiet}`, { status: 'closed_resolved', reflect_status_change_for_integration: false });
      await t.call('PATCH', `/chat/sessions/${loud}`, { status: 'closed_resolved', reflect_status_change_for_integration: true });
      const got = await hook.waitFor((reqs) => reqs.some((r) => r.body.includes(loud)));
      // Both events were fanned out in order, so by the time the second is delivered the first was decided.
      await expect.poll(async () => (await closedEvent(quiet))?.fannedOutAt ?? null).not.toBeNull();
      expect(got.filter((r) => r.body.includes(quiet))).toEqual([]);
    } finally {
      await relay.stop();
    }
  });

  it('computes insights but no summary or sentiment with generate_summary_and_sentiment_on_resolve: false', async () => {
    const plain = await create();
    const bare = await create();
    for (const id of [plain, bare]) {
      const sent = await t.call('POST', `/chat/sessions/${id}/send`, { sender: 'contact', message: { type: 'text', text: 'I am very happy with the bike, thanks!' } });
      expect(sent.status).toBe(201);
    }
    await t.call('PATCH', `/chat/sessions/${plain}`, { status: 'closed_resolved' });
    await t.call('PATCH', `/chat/sessions/${bare}`, { status: 'closed_resolved', generate_summary_and_sentiment_on_resolve: false });
    await expect.poll(async () => (await sessionRow(plain)).summary, { timeout: 10_000 }).not.toBeNull();
    await expect.poll(async () => (await sessionRow(bare)).insights, { timeout: 10_000 }).not.toBeNull();
    const row = await sessionRow(bare);
    expect([row.summary, row.sentiment, row.summarizeOnClose]).toEqual([null, null, false]);
  });
});

describe('an organization that keeps summaries on every close', () => {
  it('summarizes a close made with generate_summary_and_sentiment_on_resolve: false when always_summarize is on', async () => {
    expect((await t.call('PATCH', '/settings/ai', { always_summarize: true })).status).toBe(200);
    try {
      const id = await create();
      await t.call('POST', `/chat/sessions/${id}/send`, { sender: 'contact', message: { type: 'text', text: 'The bike arrived, thanks a lot!' } });
      await t.call('PATCH', `/chat/sessions/${id}`, { status: 'closed_resolved', generate_summary_and_sentiment_on_resolve: false });
      await expect.poll(async () => (await sessionRow(id)).summary, { timeout: 10_000 }).not.toBeNull();
    } finally {
      await t.call('PATCH', '/settings/ai', { always_summarize: false });
    }
  });
});

describe('the session language', () => {
  it('is the contact’s language when it has one', async () => {
    const [contact] = await t.database.db.insert(contacts).values({ orgId: t.orgId, name: 'Inès', language: 'fr' }).returning();
    const id = await create({ contact_id: contact!.id });
    expect((await json(await t.call('GET', `/chat/sessions/${id}`))).language).toBe('fr');
  });

  it('is detected from the customer’s words on the first turn that can tell, and absent before', async () => {
    const id = await create();
    expect((await json(await t.call('GET', `/chat/sessions/${id}`))).language).toBeUndefined();
    const text = '¿Dónde está mi pedido? Lo compré hace una semana y todavía no ha llegado.';
    await t.call('POST', `/chat/sessions/${id}/send`, { sender: 'contact', message: { type: 'text', text } });
    await expect.poll(async () => (await sessionRow(id)).language, { timeout: 10_000 }).toBe('es');
    expect((await json(await t.call('GET', `/chat/sessions/${id}`))).language).toBe('es');
  });
});
