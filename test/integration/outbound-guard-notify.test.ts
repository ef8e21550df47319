import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, webhookDeliveries, webhookEndpoints } from '../../src/db/schema/index.ts';
import { newWebhookSecret } from '../../src/domain/webhooks/webhook-signature.ts';
import { processNotify, REFUSED } from '../../workers/notify.worker.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';

// Webhook deliveries through the outbound guard. With the default policy a receiver on this host is never reached,
// whether its URL names it (localhost: accepted by the API, refused when connecting) or an endpoint stored before
// the API refused literals holds 127.0.0.1; the delivery log then says only that the address is not allowed — the
// same words for an open port and a closed one, so it cannot map internal services. With OUTBOUND_ALLOW_CIDRS=
// 127.0.0.0/8 the same receiver gets the delivery.

let guarded: TestApp;
let allowing: TestApp;
let receiver: WebhookReceiver;

beforeAll(async () => {
  [guarded, allowing, receiver] = await Promise.all([createTestApp(), createTestApp({ OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8' }), startWebhookReceiver()]);
});
afterAll(async () => {
  await Promise.all([guarded.close(), allowing.close(), receiver.close()]);
});

const port = () => new URL(receiver.url).port;

/** A new endpoint at `url` (through the API, or stored directly as an older row would be), then one event for it. */
async function deliverTo(t: TestApp, url: string, opts: { direct?: boolean } = {}) {
  let endpointId: string;
  if (opts.direct) {
    const [row] = await t.deps.db.insert(webhookEndpoints).values({ orgId: t.orgId, url, events: ['*'], secret: t.deps.secrets.seal(newWebhookSecret()) }).returning();
    endpointId = row!.id;
  } else {
    const created = await t.json('POST', '/webhook-endpoints', { url, events: ['*'] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    endpointId = created.body.id;
  }
  await t.json('POST', '/chat/sessions', { contact: { email: `n${Math.random()}@example.com` } });
  const [event] = await t.deps.db.select().from(events).where(eq(events.orgId, t.orgId)).orderBy(desc(events.seq)).limit(1);
  const job = { data: { orgId: t.orgId, eventId: event!.id, endpointId }, attemptsMade: 0, opts: { attempts: 1 } };
  const outcome = await processNotify(job, t.deps).then(
    (r) => r,
    (e: Error) => e,
  );
  const [attempt] = await t.deps.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));
  return { outcome, attempt: attempt! };
}

describe('notify through the outbound guard', () => {
  it('refuses a name resolving to loopback: failed, recorded as refused, nothing reaches the receiver', async () => {
    const { outcome, attempt } = await deliverTo(guarded, `http://localhost:${port()}/hooks`);
    expect(outcome).toBeInstanceOf(Error);
    expect(attempt).toMatchObject({ status: 'failed', error: REFUSED, responseStatus: null, responseBody: null });
    expect(receiver.requests).toEqual([]);
  });

  it.each(['http://127.0.0.1:PORT/hooks', 'http://[::ffff:127.0.0.1]:PORT/hooks', 'http://2130706433:PORT/hooks'])(
    'refuses %s stored before create-time checks existed',
    async (template) => {
      const { attempt, outcome } = await deliverTo(guarded, template.replace('PORT', port()), { direct: true });
      expect(outcome).toBeInstanceOf(Error);
      expect(attempt).toMatchObject({ status: 'failed', error: REFUSED, responseBody: null });
      expect(receiver.requests).toEqual([]);
    },
  );

  it('says the same for an open and a closed internal port (no port scanning through the log)', async () => {
    const closed = await startWebhookReceiver();
    const closedPort = new URL(closed.url).port;
    await closed.close();
    const open = await deliverTo(guarded, `http://localhost:${port()}/hooks`);
    const shut = await deliverTo(guarded, `http://localhost:${closedPort}/hooks`);
    expect([open.attempt.error, shut.attempt.error]).toEqual([REFUSED, REFUSED]);
  });

  it('delivers to the same receiver when OUTBOUND_ALLOW_CIDRS=127.0.0.0/8', async () => {
    const { outcome, attempt } = await deliverTo(allowing, `http://localhost:${port()}/hooks`);
    expect(outcome).toMatchObject({ delivered: true, status: 200 });
    expect(attempt).toMatchObject({ status: 'succeeded', responseStatus: 200, error: null });
    expect(receiver.requests).toHaveLength(1);
  });
});
