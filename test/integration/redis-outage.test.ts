import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { messages } from '../../src/db/schema/index.ts';
import { closeDeps, createDeps, type Deps } from '../../src/deps.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { startRelay } from '../../src/domain/relays/outbox.ts';
import { createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import type { ManagedRedis } from '../../src/redis/managed-redis.ts';
import { startPrivateRedis } from '../helpers/redis-outage.ts';
import { freshDatabase, freshQueuePrefix } from '../helpers/services.ts';

// Design guarantee: a 2xx means the message is committed. Kill Redis (SIGKILL, so its last second of
// writes may be lost too) in the middle of traffic: every acknowledged message is in the history, and once
// Redis is back, every one of them has exactly one turn job.

let redis: ManagedRedis;
let database: Database;
let deps: Deps;
let key: string;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  redis = await startPrivateRedis();
  database = await freshDatabase();
  const config = loadConfig({
    DATA_DIR: '/tmp/unused',
    SWITCHBOARD_SECRET: 'y'.repeat(32),
    QUEUE_PREFIX: freshQueuePrefix(),
    LOG_LEVEL: 'silent',
  });
  deps = createDeps(config, createLogger('silent'), database, redis.url);
  app = createApp(deps);
  key = (await createOrganization(deps, 'Outage org')).adminKey;
});

afterAll(async () => {
  await closeDeps(deps);
  await database.close();
  await redis.stop();
});

const call = async (path: string, body: unknown) =>
  app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function sendBatch(sessionIds: string[], n: number, label: string): Promise<Response[]> {
  const sends = Array.from({ length: n }, (_, i) =>
    call(`/chat/sessions/${sessionIds[i % sessionIds.length]}/send`, {
      sender: 'contact',
      message: { type: 'text', text: `${label} #${i}` },
    }),
  );
  return Promise.all(sends);
}

it('acknowledges only committed messages and queues exactly one turn each once Redis is back', async () => {
  const sessionIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await call('/chat/sessions', { contact: { email: `p${i}@example.com` } });
    expect(res.status).toBe(201);
    sessionIds.push(((await res.json()) as { id: string }).id);
  }

  const responses: Response[] = [];
  responses.push(...(await sendBatch(sessionIds, 15, 'before')));
  redis.kill('SIGKILL');
  responses.push(...(await sendBatch(sessionIds, 15, 'during')));
  await redis.restart();
  responses.push(...(await sendBatch(sessionIds, 15, 'after')));

  const acked: string[] = [];
  for (const res of responses) {
    if (res.status === 201) acked.push(((await res.json()) as { data: { message: { id: string } } }).data.message.id);
  }
  // Redis being down is not the database being down: every send was accepted.
  expect(acked).toHaveLength(45);

  // Every acknowledged message is in its session's history.
  const inHistory = new Set<string>();
  for (const id of sessionIds) {
    const res = await app.request(`/chat/sessions/${id}/history?limit=100`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await res.json()) as { items: Array<{ id: string }> };
    for (const item of body.items) inHistory.add(item.id);
  }
  for (const id of acked) expect(inHistory.has(id)).toBe(true);

  // The relay catches up: fast for never-enqueued turns, and a stale sweep for jobs Redis lost in the kill.
  const relay = startRelay(deps.db, deps.queues, deps.logger, { intervalMs: 100, graceMs: 100, staleMs: 1500 });
  try {
    await expect.poll(async () => (await missingJobs(acked)).length, { timeout: 20_000, interval: 250 }).toBe(0);
    // Let the sweep run again past the stale window: it must not create a second job for anyone.
    await new Promise((r) => setTimeout(r, 2000));
  } finally {
    await relay.stop();
  }
  const counts = await deps.queues.turn.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized');
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(acked.length);
  const pending = await database.db.select({ id: messages.id }).from(messages).where(eq(messages.turnState, 'pending'));
  expect(pending.map((m) => m.id).sort()).toEqual([...acked].sort());
}, 60_000);

async function missingJobs(ids: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const id of ids) if (!(await deps.queues.turn.getJob(`turn-${id}`))) missing.push(id);
  return missing;
}
