import { asc, eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { channels, events, webhookDeliveries, webhookEndpoints } from '../../src/db/schema/index.ts';
import { closeDeps, createDeps, type Deps } from '../../src/deps.ts';
import { relayEvents, startEventRelay } from '../../src/domain/relays/event-fanout.ts';
import { ingest } from '../../src/domain/inbound/ingest.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { createEndpoint, patchEndpoint, retryDelivery } from '../../src/domain/webhooks/webhook-endpoint-store.ts';
import { createLogger } from '../../src/logger.ts';
import { createNotifyWorker, processNotify } from '../../workers/notify.worker.ts';
import { ALLOW_LOOPBACK } from '../helpers/app.ts';
import { freshDatabase, freshQueuePrefix, redisUrl } from '../helpers/services.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';

// Events out against real Redis, a real database and a real HTTP receiver: the relay fans events out to notify
// jobs, the worker signs and POSTs them (verified with the Standard Webhooks reference implementation), retries
// with backoff (shortened here through the job options), records every attempt and delivers once. The receivers
// listen on loopback, which OUTBOUND_ALLOW_CIDRS allows here: these are also the end-to-end tests of an allowed
// range (test/integration/outbound-guard.test.ts has the default, refusing one).

const FAST = { backoff: { type: 'webhook', delay: 100 } };
let database: Database;
let deps: Deps;
let worker: ReturnType<typeof createNotifyWorker>;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  database = await freshDatabase();
  const config = loadConfig({ DATA_DIR: '/tmp/unused', SWITCHBOARD_SECRET: 'x'.repeat(32), QUEUE_PREFIX: freshQueuePrefix(), ...ALLOW_LOOPBACK });
  deps = createDeps(config, createLogger('silent'), database, redisUrl());
  worker = createNotifyWorker(deps, { redisUrl: redisUrl(), queuePrefix: config.queuePrefix });
});
afterAll(async () => {
  await worker.close();
  for (const q of Object.values(deps.queues)) await q.obliterate({ force: true });
  await closeDeps(deps);
  await database.close();
  await Promise.all(receivers.map((r) => r.close()));
});

const receiver = async () => {
  receivers.push(await startWebhookReceiver());
  return receivers.at(-1)!;
};

async function newOrg() {
  const org = await createOrganization(deps, 'Webhook org');
  const [api] = await database.db.select().from(channels).where(eq(channels.orgId, org.id));
  const contact = { name: 'Ada', email: 'ada@example.com' };
  const channel = { id: api!.id, type: 'api' as const };
  const say = (text: string) => ingest(deps, { kind: 'from-channel', orgId: org.id, channel, identity: { address: 'ada-1' }, contact, sender: 'contact', text });
  return { orgId: org.id, say };
}

const attemptsOf = (endpointId: string) =>
  database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)).orderBy(asc(webhookDeliveries.attempt));

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 25))) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(v)}`);
  }
}

describe('notify', () => {
  it('delivers a signed Open envelope, retries after failures, and succeeds exactly once', async () => {
    const { orgId, say } = await newOrg();
    const hook = await receiver();
    hook.failNext(2);
    const { row: endpoint, secret } = await createEndpoint(deps, orgId, { url: hook.url, events: ['conversation.contact_response'] });
    const relay = startEventRelay(deps, { intervalMs: 50, jobOptions: FAST });
    const sent = await say('Where is my order?');
    await hook.waitFor((reqs) => reqs.some((q) => q.status === 200));
    await relay.stop();

    expect(hook.requests.map((q) => q.status)).toEqual([500, 500, 200]);
    const [event] = await database.db.select().from(events).where(eq(events.type, 'conversation.contact_response'));
    const wh = new Webhook(secret);
    for (const q of hook.requests) {
      expect(q.headers['webhook-id']).toBe(event!.id);
      expect(q.headers['content-type']).toBe('application/json');
      expect(wh.verify(q.body, q.headers)).toEqual(JSON.parse(q.body));
    }
    expect(JSON.parse(hook.requests[2]!.body)).toEqual({
      event: 'conversation.contact_response',
      organization_id: orgId,
      data: {
        session_id: sent.sessionId,
        message_id: sent.messageId,
        occurred_at: event!.createdAt.toISOString(),
        session: { id: sent.sessionId, status: 'open', ticket_number: 1, channel: { type: 'api' }, handed_off: false, assignee_id: null },
        contact: { id: sent.contactId, name: 'Ada', email: 'ada@example.com' },
        message: { id: sent.messageId, text: 'Where is my order?', sender: { type: 'contact' }, created_at: expect.any(String) },
      },
    });
    // Backoff: 100 ms, then 200 ms.
    const [a, b, c] = hook.requests.map((q) => q.at);
    expect(b! - a!).toBeGreaterThanOrEqual(90);
    expect(c! - b!).toBeGreaterThanOrEqual(190);

    const rows = await until(() => attemptsOf(endpoint.id), (r) => r.at(-1)?.status === 'succeeded');
    expect(rows.map((r) => [r.attempt, r.status, r.responseStatus])).toEqual([
      [1, 'failed', 500],
      [2, 'failed', 500],
      [3, 'succeeded', 200],
    ]);
    expect(rows[0]).toMatchObject({ error: 'HTTP 500', responseBody: 'scripted 500', nextAttemptAt: expect.any(Date) });
    expect(rows[2]).toMatchObject({ error: null, responseBody: 'ok', nextAttemptAt: null });
    for (const r of rows) expect(r.durationMs).toBeGreaterThanOrEqual(0);

    // The job again (a relay re-add, a stalled job): nothing more is sent.
    const job = { data: { orgId, eventId: event!.id, endpointId: endpoint.id }, attemptsMade: 0, opts: {} };
    expect(await processNotify(job, deps)).toEqual({ skipped: 'already delivered' });
    expect(hook.requests).toHaveLength(3);
  });

  it('fans out only public events, to enabled endpoints of the organization subscribed since before the event', async () => {
    const { orgId, say } = await newOrg();
    const other = await newOrg();
    const [all, closedOnly, disabled, foreign] = await Promise.all([receiver(), receiver(), receiver(), receiver()]);
    const star = (await createEndpoint(deps, orgId, { url: all.url, events: ['*'] })).row;
    const closed = (await createEndpoint(deps, orgId, { url: closedOnly.url, events: ['conversation.closed'] })).row;
    const off = (await createEndpoint(deps, orgId, { url: disabled.url, events: ['*'] })).row;
    await patchEndpoint(deps, orgId, off.id, { enabled: false });
    await createEndpoint(deps, other.orgId, { url: foreign.url, events: ['*'] });
    await say('hi');
    await database.db.insert(events).values({ orgId, type: 'conversation.status_changed', data: {} });
    const late = (await createEndpoint(deps, orgId, { url: all.url, events: ['*'] })).row;

    expect(await relayEvents(database.db, deps.queues, { jobOptions: FAST })).toBeGreaterThanOrEqual(3);
    expect(await relayEvents(database.db, deps.queues)).toBe(0);
    const mine = await database.db.select().from(events).where(eq(events.orgId, orgId)).orderBy(asc(events.seq));
    expect(mine.map((e) => e.type)).toEqual(['conversation.started', 'conversation.contact_response', 'conversation.status_changed']);
    expect(mine.every((e) => e.fannedOutAt)).toBe(true);
    const jobIds = (await deps.queues.notify.getJobs()).map((j) => j.id);
    expect(jobIds).toEqual(expect.arrayContaining(mine.slice(0, 2).map((e) => `notify-${e.id}-${star.id}`)));
    for (const id of [closed.id, off.id, late.id]) expect(jobIds.filter((j) => j?.endsWith(id))).toEqual([]);

    const got = await all.waitFor((reqs) => reqs.length === 2);
    expect(got.map((q) => JSON.parse(q.body).event).sort()).toEqual(['conversation.contact_response', 'conversation.started']);
    await new Promise((r) => setTimeout(r, 200));
    expect([closedOnly, disabled, foreign].map((r) => r.requests.length)).toEqual([0, 0, 0]);
  });

  it('disables an endpoint that answers 410 Gone and stops retrying', async () => {
    const { orgId, say } = await newOrg();
    const hook = await receiver();
    hook.respondWith(410);
    const { row } = await createEndpoint(deps, orgId, { url: hook.url, events: ['conversation.started'] });
    await say('hello');
    await relayEvents(database.db, deps.queues, { jobOptions: FAST });
    const [gone] = await until(
      () => database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, row.id)),
      (r) => r[0]?.enabled === false,
    );
    expect(gone!.disabledReason).toMatch(/410 Gone/);
    await new Promise((r) => setTimeout(r, 400));
    expect(hook.requests).toHaveLength(1);
    const rows = await attemptsOf(row.id);
    expect(rows.map((r) => [r.status, r.responseStatus, r.nextAttemptAt])).toEqual([['failed', 410, null]]);
  });

  it('retries by hand once the attempts ran out, and then delivers once', async () => {
    const { orgId, say } = await newOrg();
    const hook = await receiver();
    hook.respondWith(503);
    const { row } = await createEndpoint(deps, orgId, { url: hook.url, events: ['conversation.started'] });
    await say('hello');
    await relayEvents(database.db, deps.queues, { jobOptions: { attempts: 2, backoff: { type: 'webhook', delay: 50 } } });
    const failed = await until(() => attemptsOf(row.id), (r) => r.length === 2 && r[1]!.status === 'failed');
    expect(failed.map((r) => r.nextAttemptAt === null)).toEqual([false, true]);
    const job = await deps.queues.notify.getJob(`notify-${failed[0]!.eventId}-${row.id}`);
    await until(() => job!.getState(), (state) => state === 'failed');

    hook.respondWith(200);
    await retryDelivery(deps, orgId, row.id, failed[1]!.id);
    const rows = await until(() => attemptsOf(row.id), (r) => r.at(-1)?.status === 'succeeded');
    expect(rows.map((r) => [r.attempt, r.status])).toEqual([[1, 'failed'], [2, 'failed'], [3, 'succeeded']]);
    expect(hook.requests.map((q) => q.status)).toEqual([503, 503, 200]);
  });

  it('records a connection failure and when the next attempt is due', async () => {
    const { orgId, say } = await newOrg();
    const hook = await receiver();
    const url = hook.url;
    await hook.close();
    const { row } = await createEndpoint(deps, orgId, { url, events: ['conversation.started'] });
    await say('hello');
    const [event] = await database.db.select().from(events).where(eq(events.orgId, orgId));
    const opts = { attempts: 15, backoff: { type: 'webhook', delay: 30_000 } };
    const job = { data: { orgId, eventId: event!.id, endpointId: row.id }, attemptsMade: 3, opts };
    await expect(processNotify(job, deps)).rejects.toThrow(/ECONNREFUSED/);
    const [attempt] = await attemptsOf(row.id);
    expect(attempt).toMatchObject({ attempt: 1, status: 'failed', responseStatus: null, error: expect.stringMatching(/ECONNREFUSED/) });
    // The 4th retry waits 30 s × 2³ = 4 min.
    expect(attempt!.nextAttemptAt!.getTime() - Date.now()).toBeGreaterThan(235_000);
  });
});
