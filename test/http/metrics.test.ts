import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledge } from '../../src/db/schema/index.ts';
import { closeDeps, createDeps } from '../../src/deps.ts';
import { startEventRelay } from '../../src/domain/relays/event-fanout.ts';
import type { Periodic } from '../../src/domain/relays/periodic.ts';
import { createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { startWorkers, type RunningWorkers } from '../../workers/main.ts';
import { ALLOW_LOOPBACK, createTestApp, type TestApp } from '../helpers/app.ts';
import { parsePrometheus, type Sample, valueOf } from '../helpers/prometheus-text.ts';
import { listen, type ListeningApp } from '../helpers/server.ts';
import { freshDatabase, redisUrl } from '../helpers/services.ts';
import { openWidgetSocket } from '../helpers/widget-client.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';

// GET /metrics on a listening app with real workers, Redis and database: API calls counted by route pattern and
// status, a customer message through turn, dispatch and a webhook delivery, duplicates and sockets from the web
// chat, the scrape-time queue and backlog gauges, and METRICS_TOKEN.

let t: TestApp;
let server: ListeningApp;
let workers: RunningWorkers;
let relay: Periodic;
let hook: WebhookReceiver;
const SITE = 'https://shop.example.com';

beforeAll(async () => {
  t = await createTestApp({ TURN_BURST_MS: '50', ...ALLOW_LOOPBACK });
  workers = startWorkers(t.deps, { sweepIntervalMs: 200 });
  relay = startEventRelay(t.deps, { intervalMs: 100 });
  server = await listen(t);
  hook = await startWebhookReceiver();
  await t.database.db.insert(knowledge).values({
    orgId: t.orgId,
    title: 'Refund policy',
    body: 'You can get a full refund within 30 days of purchase. Refunds are paid back to the original card.',
  });
});
afterAll(async () => {
  await server.close();
  await relay.stop();
  await workers.close();
  await hook.close();
  await t.close();
});

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, samples: parsePrometheus(text) };
}

/** Scrapes until `ready` holds for the samples (the workers run on their own time). */
async function scrapeUntil(ready: (s: Sample[]) => boolean, timeoutMs = 10_000) {
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 100))) {
    const got = await scrape();
    if (ready(got.samples) || Date.now() > deadline) return got;
  }
}

const SEND = '/chat/sessions/:session_id/send';

describe('GET /metrics', () => {
  it('counts API calls by route pattern, and a customer message through turn, dispatch and webhook delivery', async () => {
    expect((await t.call('POST', '/webhook-endpoints', { url: hook.url, events: ['*'] })).status).toBe(201);
    const created = await t.call('POST', '/chat/sessions', { contact: { email: 'ada@example.com', name: 'Ada' } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const ask = { sender: 'contact', message: { type: 'text', text: 'How long do I have to get a refund?' } };
    expect((await t.call('POST', `/chat/sessions/${id}/send`, ask)).status).toBe(201);
    // Refused by auth before the route ran: still counted under the route's pattern.
    expect((await t.call('POST', `/chat/sessions/${id}/send`, ask, { key: 'sb_not_a_key' })).status).toBe(401);
    expect((await fetch(`${server.url}/no/such/${id}`)).status).toBe(404);

    const { text, samples } = await scrapeUntil(
      (s) =>
        (valueOf(s, 'switchboard_dispatch_total', { channel: 'api', outcome: 'sent' }) ?? 0) >= 1 &&
        (valueOf(s, 'switchboard_webhook_deliveries_total', { result: 'delivered' }) ?? 0) >= 1,
    );
    const http = (where: Record<string, string>) => valueOf(samples, 'switchboard_http_requests_total', where);
    expect(http({ method: 'POST', route: SEND, status: '201' })).toBe(1);
    expect(http({ method: 'POST', route: SEND, status: '401' })).toBe(1);
    expect(http({ method: 'POST', route: '/chat/sessions', status: '201' })).toBe(1);
    expect(http({ method: 'POST', route: '/webhook-endpoints', status: '201' })).toBe(1);
    expect(http({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(valueOf(samples, 'switchboard_http_request_duration_seconds_count', { route: SEND, status: '201' })).toBe(1);
    // No label carries an id.
    expect(text).not.toContain(id);

    expect(valueOf(samples, 'switchboard_messages_accepted_total', { channel: 'api' })).toBe(1);
    expect(valueOf(samples, 'switchboard_turns_total', { outcome: 'answered' })).toBe(1);
    expect(valueOf(samples, 'switchboard_turn_latency_seconds_count', { outcome: 'answered' })).toBe(1);
    expect(valueOf(samples, 'switchboard_turn_latency_seconds_sum', { outcome: 'answered' })).toBeGreaterThan(0);
    expect(valueOf(samples, 'switchboard_dispatch_total', { channel: 'api', outcome: 'sent' })).toBe(1);
    expect(valueOf(samples, 'switchboard_dispatch_latency_seconds_count', { channel: 'api' })).toBe(1);

    // Read at scrape time: every queue in every state, and the two outboxes.
    for (const queue of ['turn', 'route', 'dispatch', 'close', 'notify']) {
      expect(valueOf(samples, 'switchboard_queue_jobs', { queue, state: 'waiting' }), queue).toBeTypeOf('number');
    }
    expect(valueOf(samples, 'switchboard_outbox_backlog')).toBeTypeOf('number');
    expect(valueOf(samples, 'switchboard_event_backlog')).toBeTypeOf('number');
    // Process metrics, with the prefix.
    expect(valueOf(samples, 'switchboard_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(samples, 'switchboard_nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('counts web chat duplicates by channel kind and the sockets open', async () => {
    const channel = await t.json('POST', '/channels', { type: 'web', name: 'Shop', config: { allowed_origins: [SITE] } });
    expect(channel.status).toBe(201);
    const pid = channel.body.public_id as string;
    const visitor = await fetch(`${server.url}/widget/${pid}/visitors`, { method: 'POST', headers: { origin: SITE }, body: '{}' });
    const { token } = (await visitor.json()) as { token: string };
    const before = (await scrape()).samples;

    const socket = await openWidgetSocket(server.wsUrl, pid, SITE);
    socket.send({ type: 'hello', token });
    await socket.waitFor((f) => f.type === 'ready');
    expect(valueOf((await scrape()).samples, 'switchboard_widget_sockets_open')).toBe(1);
    // The same client message id twice (a resend after a lost ack): stored once, the repeat counted as a duplicate.
    const client_msg_id = randomUUID();
    for (let i = 0; i < 2; i++) socket.send({ type: 'send', client_msg_id, text: 'Do you ship to Norway?' });
    await socket.waitFor(() => socket.frames.filter((f) => f.type === 'ack').length === 2);

    const after = (await scrape()).samples;
    const delta = (name: string) => (valueOf(after, name, { channel: 'web' }) ?? 0) - (valueOf(before, name, { channel: 'web' }) ?? 0);
    expect(delta('switchboard_messages_accepted_total')).toBe(1);
    expect(delta('switchboard_messages_duplicate_total')).toBe(1);

    socket.ws.close();
    await socket.closed;
    const closed = await scrapeUntil((s) => valueOf(s, 'switchboard_widget_sockets_open') === 0, 5000);
    expect(valueOf(closed.samples, 'switchboard_widget_sockets_open')).toBe(0);
  });
});

describe('METRICS_TOKEN', () => {
  const TOKEN = 'metrics-token-0123456789abcdef';
  let guarded: TestApp;
  beforeAll(async () => {
    guarded = await createTestApp({ METRICS_TOKEN: TOKEN });
  });
  afterAll(() => guarded.close());

  const get = (headers: Record<string, string> = {}) => guarded.app.request('/metrics', { headers });

  it('wants Authorization: Bearer <METRICS_TOKEN>: 401 without it or with anything else, 200 with it', async () => {
    const missing = await get();
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ statusCode: 401, message: expect.stringMatching(/METRICS_TOKEN/) });
    expect((await get({ authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    // An API key is not a metrics token, not even the admin's.
    expect((await get({ authorization: `Bearer ${guarded.adminKey}` })).status).toBe(401);
    const ok = await get({ authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    const samples = parsePrometheus(await ok.text());
    // The refusals were counted like any request, under the route's pattern.
    expect(valueOf(samples, 'switchboard_http_requests_total', { method: 'GET', route: '/metrics', status: '401' })).toBe(3);
  });

  it('without METRICS_TOKEN, /metrics needs no key at all', async () => {
    expect((await t.app.request('/metrics')).status).toBe(200);
  });
});

describe('a source that does not answer', () => {
  it('leaves its gauges out of the scrape instead of failing it (Redis down: no queue depths)', async () => {
    const down = createDeps(t.deps.config, createLogger('silent'), t.database, 'redis://127.0.0.1:1');
    try {
      const started = Date.now();
      const res = await createApp(down).request('/metrics');
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(5000);
      const samples = parsePrometheus(await res.text());
      expect(valueOf(samples, 'switchboard_queue_jobs')).toBeUndefined();
      // The database answers: its gauges are there.
      expect(valueOf(samples, 'switchboard_event_backlog')).toBeTypeOf('number');
      expect(valueOf(samples, 'switchboard_outbox_backlog')).toBeTypeOf('number');
    } finally {
      await closeDeps(down);
    }
  });

  it('and a database that does not answer leaves out the backlogs, not reports them as 0', async () => {
    const database = await freshDatabase();
    const deps = createDeps(t.deps.config, createLogger('silent'), database, redisUrl());
    await database.close();
    try {
      const res = await createApp(deps).request('/metrics');
      expect(res.status).toBe(200);
      const samples = parsePrometheus(await res.text());
      expect(valueOf(samples, 'switchboard_outbox_backlog')).toBeUndefined();
      expect(valueOf(samples, 'switchboard_event_backlog')).toBeUndefined();
    } finally {
      await closeDeps(deps);
    }
  });
});
