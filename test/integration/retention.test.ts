import { setTimeout as sleep } from 'node:timers/promises';
import { count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { events, sessions, webhookDeliveries, webhookEndpoints } from '../../src/db/schema/index.ts';
import { sweepStorageOnce } from '../../src/domain/files/storage-sweeper.ts';
import { pruneEvents, RETENTION_BATCH, retentionCutoff } from '../../src/domain/relays/retention.ts';
import { cleanJobHistory } from '../../src/queue/job-history.ts';
import { createQueueWorker } from '../../workers/worker-factory.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// Retention on a real database and Redis: the storage sweeper deletes events, webhook delivery attempts and
// finished jobs past RETENTION_*_DAYS, and never what is still work: events not yet fanned out, the events of an
// open session, deliveries in flight or with a retry scheduled, waiting jobs.

const DAY = 24 * 3600 * 1000;
const GRACE = DAY;
let t: TestApp;
let endpointId: string;
let openSession: string;
let closedSession: string;

beforeAll(async () => {
  t = await createTestApp({ RETENTION_EVENTS_DAYS: '90', RETENTION_DELIVERIES_DAYS: '30', RETENTION_JOBS_DAYS: '7' });
  const [endpoint] = await t.database.db
    .insert(webhookEndpoints)
    .values({ orgId: t.orgId, url: 'https://receiver.example/hook', events: ['*'], secret: t.deps.secrets.seal('whsec_test') })
    .returning();
  endpointId = endpoint!.id;
  openSession = (await t.json('POST', '/chat/sessions', { contact: { email: 'open@example.com' } })).body.id;
  closedSession = (await t.json('POST', '/chat/sessions', { contact: { email: 'closed@example.com' } })).body.id;
  await t.database.db.update(sessions).set({ status: 'closed_resolved' }).where(eq(sessions.id, closedSession));
});
afterAll(() => t?.close());

const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

async function event(opts: { ageDays: number; fannedOut?: boolean; sessionId?: string }): Promise<string> {
  const [row] = await t.database.db
    .insert(events)
    .values({
      orgId: t.orgId,
      sessionId: opts.sessionId ?? null,
      type: 'conversation.closed',
      data: {},
      createdAt: daysAgo(opts.ageDays),
      fannedOutAt: opts.fannedOut === false ? null : daysAgo(opts.ageDays),
    })
    .returning({ id: events.id });
  return row!.id;
}

type Attempt = { ageDays: number; status: 'pending' | 'succeeded' | 'failed'; retry?: boolean };
async function deliveries(eventId: string, attempts: Attempt[]): Promise<string[]> {
  const rows = await t.database.db
    .insert(webhookDeliveries)
    .values(
      attempts.map((a, i) => ({
        orgId: t.orgId,
        endpointId,
        eventId,
        attempt: i + 1,
        status: a.status,
        createdAt: daysAgo(a.ageDays),
        nextAttemptAt: a.retry ? daysAgo(a.ageDays - 0.01) : null,
      })),
    )
    .returning({ id: webhookDeliveries.id });
  return rows.map((r) => r.id);
}

const remaining = async (table: typeof events | typeof webhookDeliveries, ids: string[]) =>
  (await t.database.db.select({ id: table.id }).from(table).where(inArray(table.id, ids))).map((r) => r.id).sort();

describe('retention', () => {
  it('deletes old events that are no longer work, and keeps those that are', async () => {
    const gone = {
      orgWide: await event({ ageDays: 100 }),
      ofClosedSession: await event({ ageDays: 100, sessionId: closedSession }),
      delivered: await event({ ageDays: 100 }),
      retriedThenDelivered: await event({ ageDays: 100 }),
    };
    const kept = {
      notFannedOut: await event({ ageDays: 100, fannedOut: false }),
      ofOpenSession: await event({ ageDays: 100, sessionId: openSession }),
      retryScheduled: await event({ ageDays: 100 }),
      inFlight: await event({ ageDays: 100 }),
      young: await event({ ageDays: 80 }),
    };
    const goneDeliveries = [
      ...(await deliveries(gone.delivered, [{ ageDays: 100, status: 'succeeded' }])),
      ...(await deliveries(gone.retriedThenDelivered, [{ ageDays: 100, status: 'failed', retry: true }, { ageDays: 99, status: 'succeeded' }])),
    ];
    const keptDeliveries = [
      ...(await deliveries(kept.retryScheduled, [{ ageDays: 100, status: 'failed', retry: true }])),
      ...(await deliveries(kept.inFlight, [{ ageDays: 100, status: 'pending' }])),
    ];

    const swept = await sweepStorageOnce(t.deps, GRACE);
    expect(swept.events).toBe(4);
    expect(await remaining(events, Object.values(gone))).toEqual([]);
    expect(await remaining(events, Object.values(kept))).toEqual(Object.values(kept).sort());
    expect(await remaining(webhookDeliveries, goneDeliveries)).toEqual([]);
    expect(await remaining(webhookDeliveries, keptDeliveries)).toEqual(keptDeliveries.sort());

    // Once the session closes and the retry is over, the next sweep takes them.
    await t.database.db.update(sessions).set({ status: 'closed_unresolved' }).where(eq(sessions.id, openSession));
    await t.database.db
      .insert(webhookDeliveries)
      .values({ orgId: t.orgId, endpointId, eventId: kept.retryScheduled, attempt: 2, status: 'failed', createdAt: daysAgo(99) });
    await sweepStorageOnce(t.deps, GRACE);
    expect(await remaining(events, [kept.ofOpenSession, kept.retryScheduled])).toEqual([]);
    expect(await remaining(events, [kept.notFannedOut, kept.inFlight, kept.young])).toHaveLength(3);
  });

  it('deletes old delivery attempts of finished deliveries, before their events go', async () => {
    const recent = await event({ ageDays: 40 });
    const retrying = await event({ ageDays: 40 });
    const given = await event({ ageDays: 40 });
    const old = await deliveries(recent, [{ ageDays: 40, status: 'failed', retry: true }, { ageDays: 39, status: 'succeeded' }]);
    const young = await deliveries(await event({ ageDays: 1 }), [{ ageDays: 1, status: 'succeeded' }]);
    const scheduled = await deliveries(retrying, [{ ageDays: 40, status: 'failed', retry: true }]);
    const exhausted = await deliveries(given, [{ ageDays: 40, status: 'failed', retry: true }, { ageDays: 39, status: 'failed' }]);

    const swept = await sweepStorageOnce(t.deps, GRACE);
    expect(swept.deliveries).toBe(4);
    expect(await remaining(webhookDeliveries, [...old, ...exhausted])).toEqual([]);
    expect(await remaining(webhookDeliveries, [...young, ...scheduled])).toEqual([...young, ...scheduled].sort());
    expect(await remaining(events, [recent, retrying, given])).toHaveLength(3); // 40 days: within RETENTION_EVENTS_DAYS
  });

  it('drains a backlog larger than one batch, a batch per statement', async () => {
    const backlog = RETENTION_BATCH * 2 + 500;
    await t.database.db.insert(events).values(
      Array.from({ length: backlog }, () => ({ orgId: t.orgId, type: 'status_changed', data: {}, createdAt: daysAgo(200), fannedOutAt: daysAgo(200) })),
    );
    expect(await pruneEvents(t.database.db, retentionCutoff(90))).toBeGreaterThanOrEqual(backlog);
    const [left] = await t.database.db.select({ n: count() }).from(events).where(eq(events.type, 'status_changed'));
    expect(left!.n).toBe(0);
  });

  it('keeps everything when a retention is 0', async () => {
    const id = await event({ ageDays: 400 });
    const forever = { ...t.deps, config: { retention: { eventsDays: null, deliveriesDays: null, jobsDays: null } } };
    expect(await sweepStorageOnce(forever, GRACE)).toMatchObject({ events: 0, deliveries: 0, jobs: 0 });
    expect(await remaining(events, [id])).toEqual([id]);
  });

  it('cleans completed and failed jobs past the grace, never waiting ones', async () => {
    const { worker, connection } = createQueueWorker(
      'close',
      async (job) => {
        if (job.data.reason === 'inactivity') throw new Error('this one fails');
      },
      { redisUrl: t.deps.redisUrl, queuePrefix: t.deps.config.queuePrefix, logger: t.deps.logger },
    );
    const close = t.deps.queues.close;
    const data = (reason: 'closed' | 'inactivity') => ({ orgId: t.orgId, sessionId: closedSession, reason });
    const keep = { removeOnComplete: false, removeOnFail: false, attempts: 1 } as const;
    await close.add('api', data('closed'), { ...keep, jobId: 'retention-done' });
    await close.add('api', data('inactivity'), { ...keep, jobId: 'retention-failed' });
    for (let i = 0; i < 100 && (await close.getJobCountByTypes('completed', 'failed')) < 2; i++) await sleep(50);
    await worker.close();
    await connection.quit();
    await close.add('api', data('closed'), { ...keep, jobId: 'retention-waiting' });

    // The sweeper's own grace (RETENTION_JOBS_DAYS=7) keeps jobs that finished just now.
    expect((await sweepStorageOnce(t.deps, GRACE)).jobs).toBe(0);
    expect(await close.getJobCounts('completed', 'failed', 'waiting')).toEqual({ completed: 1, failed: 1, waiting: 1 });
    await sleep(20);
    expect(await cleanJobHistory(t.deps.queues, 10)).toBe(2);
    expect(await close.getJobCounts('completed', 'failed', 'waiting')).toEqual({ completed: 0, failed: 0, waiting: 1 });
  });
});

describe('retention settings', () => {
  const env = { DATA_DIR: '/tmp/unused', SWITCHBOARD_SECRET: 's'.repeat(40) };
  it('default to 90 days of events, 30 of deliveries, 7 of jobs; 0 is forever', () => {
    expect(loadConfig(env).retention).toEqual({ eventsDays: 90, deliveriesDays: 30, jobsDays: 7 });
    const forever = loadConfig({ ...env, RETENTION_EVENTS_DAYS: '0', RETENTION_DELIVERIES_DAYS: '0', RETENTION_JOBS_DAYS: '0' });
    expect(forever.retention).toEqual({ eventsDays: null, deliveriesDays: null, jobsDays: null });
  });

  it("refuses a retention shorter than a webhook's retries or a job id's day", () => {
    expect(() => loadConfig({ ...env, RETENTION_EVENTS_DAYS: '1' })).toThrow(/RETENTION_EVENTS_DAYS.*at least 2 days/);
    expect(() => loadConfig({ ...env, RETENTION_DELIVERIES_DAYS: '-3' })).toThrow(/RETENTION_DELIVERIES_DAYS/);
    expect(() => loadConfig({ ...env, RETENTION_JOBS_DAYS: '1.5' })).toThrow(/RETENTION_JOBS_DAYS/);
    expect(loadConfig({ ...env, RETENTION_JOBS_DAYS: '1' }).retention.jobsDays).toBe(1);
  });
});
