import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, webhookDeliveries } from '../../src/db/schema/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenError } from '../helpers/contract.ts';

// GET /webhook-endpoints/{id}/deliveries (newest first, cursor) and POST …/deliveries/{delivery_id}/retry, over
// delivery rows written here directly (the worker that writes them is test/integration/notify-worker.test.ts).

type Json = Record<string, any>;
let t: TestApp;
let otherKey: string;

beforeAll(async () => {
  t = await createTestApp();
  otherKey = (await createOrganization(t.deps, 'Other org')).adminKey;
});
afterAll(() => t.close());

const call = (method: string, path: string, body?: unknown, key?: string) => t.json(method, path, body, key ? { key } : {});

async function endpoint(): Promise<string> {
  const { body } = await call('POST', '/webhook-endpoints', { url: 'https://hooks.example.com/in', events: ['*'] });
  return body.id;
}

async function event(type = 'conversation.closed'): Promise<string> {
  const [row] = await t.database.db.insert(events).values({ orgId: t.orgId, type, data: {} }).returning({ id: events.id });
  return row!.id;
}

type Attempt = Partial<typeof webhookDeliveries.$inferInsert> & { endpointId: string; eventId: string; attempt: number };
async function attempt(a: Attempt): Promise<string> {
  const [row] = await t.database.db
    .insert(webhookDeliveries)
    .values({ orgId: t.orgId, status: 'failed', ...a })
    .returning({ id: webhookDeliveries.id });
  return row!.id;
}

describe('GET /webhook-endpoints/{id}/deliveries', () => {
  it('lists an endpoint’s attempts newest first, with cursor paging', async () => {
    const ep = await endpoint();
    const otherEp = await endpoint();
    const ev = await event();
    const base = Date.now() - 60_000;
    const at = (s: number) => new Date(base + s * 1000);
    const first = await attempt({
      endpointId: ep,
      eventId: ev,
      attempt: 1,
      responseStatus: 500,
      responseBody: 'boom',
      error: 'HTTP 500',
      durationMs: 12,
      nextAttemptAt: at(30),
      createdAt: at(0),
    });
    const second = await attempt({ endpointId: ep, eventId: ev, attempt: 2, status: 'succeeded', responseStatus: 200, createdAt: at(31) });
    await attempt({ endpointId: otherEp, eventId: ev, attempt: 1, createdAt: at(2) });

    const { status, body } = await call('GET', `/webhook-endpoints/${ep}/deliveries`);
    expect(status).toBe(200);
    expect(body.items.map((d: Json) => d.id)).toEqual([second, first]);
    expect(body.items[1]).toEqual({
      id: first,
      event_id: ev,
      event_type: 'conversation.closed',
      attempt: 1,
      status: 'failed',
      response_status: 500,
      response_body: 'boom',
      error: 'HTTP 500',
      duration_ms: 12,
      next_attempt_at: at(30).toISOString(),
      created_at: at(0).toISOString(),
    });
    expect(body.next).toBeNull();

    const page1 = await call('GET', `/webhook-endpoints/${ep}/deliveries?limit=1`);
    expect(page1.body.items.map((d: Json) => d.id)).toEqual([second]);
    const page2 = await call('GET', `/webhook-endpoints/${ep}/deliveries?limit=1&cursor=${page1.body.next}`);
    expect(page2.body).toEqual({ items: [body.items[1]], next: null });
  });

  it('is a 404 for an unknown endpoint', async () => {
    const res = await call('GET', '/webhook-endpoints/00000000-0000-4000-8000-000000000000/deliveries');
    expect(res.status).toBe(404);
    expectOpenError(res.body, 404);
  });
});

describe('POST /webhook-endpoints/{id}/deliveries/{delivery_id}/retry', () => {
  it('re-enqueues the event’s notify job for one more attempt', async () => {
    const ep = await endpoint();
    const ev = await event('conversation.contact_response');
    const failed = await attempt({ endpointId: ep, eventId: ev, attempt: 1 });
    expect(await call('POST', `/webhook-endpoints/${ep}/deliveries/${failed}/retry`)).toEqual({ status: 202, body: { success: true } });
    const job = await t.deps.queues.notify.getJob(`notify-${ev}-${ep}`);
    expect(job?.data).toEqual({ orgId: t.orgId, eventId: ev, endpointId: ep });
    // Named after the event's channel; this event has none (organization-wide).
    expect(job?.name).toBe('organization');
    expect(await job?.getState()).toBe('waiting');
    // A second retry while it waits changes nothing.
    expect((await call('POST', `/webhook-endpoints/${ep}/deliveries/${failed}/retry`)).status).toBe(202);
    expect(await t.deps.queues.notify.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
  });

  it('is a 409 once the event was delivered, or while the endpoint is disabled', async () => {
    const ep = await endpoint();
    const ev = await event();
    const failed = await attempt({ endpointId: ep, eventId: ev, attempt: 1 });
    await attempt({ endpointId: ep, eventId: ev, attempt: 2, status: 'succeeded' });
    const delivered = await call('POST', `/webhook-endpoints/${ep}/deliveries/${failed}/retry`);
    expect(delivered.status).toBe(409);
    expectOpenError(delivered.body, 409);

    const ep2 = await endpoint();
    const failed2 = await attempt({ endpointId: ep2, eventId: ev, attempt: 1 });
    await call('PATCH', `/webhook-endpoints/${ep2}`, { enabled: false });
    expect((await call('POST', `/webhook-endpoints/${ep2}/deliveries/${failed2}/retry`)).status).toBe(409);
  });

  it('is a 404 for another endpoint’s delivery or another organization', async () => {
    const ep = await endpoint();
    const ep2 = await endpoint();
    const failed = await attempt({ endpointId: ep, eventId: await event(), attempt: 1 });
    expect((await call('POST', `/webhook-endpoints/${ep2}/deliveries/${failed}/retry`)).status).toBe(404);
    expect((await call('POST', `/webhook-endpoints/${ep}/deliveries/${failed}/retry`, undefined, otherKey)).status).toBe(404);
    expect((await call('GET', `/webhook-endpoints/${ep}/deliveries`, undefined, otherKey)).status).toBe(404);
  });
});
