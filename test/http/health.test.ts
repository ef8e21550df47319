import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeDeps, createDeps, type Deps } from '../../src/deps.ts';
import { createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let down: Deps;

beforeAll(async () => {
  t = await createTestApp();
  down = createDeps(t.deps.config, createLogger('silent'), t.database, 'redis://127.0.0.1:1');
});
afterAll(async () => {
  await closeDeps(down);
  await t.close();
});

it('GET /healthz answers without a key, with a request id', async () => {
  const res = await t.app.request('/healthz');
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
  expect(res.headers.get('x-request-id')).toMatch(/.{8,}/);
});

it('GET /readyz is 200 when the database and Redis answer', async () => {
  // Until the fresh Redis connection is up, not ready is the truthful answer.
  await expect.poll(async () => (await t.app.request('/readyz')).status, { timeout: 5000 }).toBe(200);
  const res = await t.app.request('/readyz');
  expect(await res.json()).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
});

it('GET /readyz is 503 and names Redis when Redis is unreachable', async () => {
  const res = await createApp(down).request('/readyz');
  expect(res.status).toBe(503);
  const body = (await res.json()) as { status: string; checks: { database: string; redis: string } };
  expect(body.status).toBe('unavailable');
  expect(body.checks.database).toBe('ok');
  expect(body.checks.redis).toMatch(/^error: /);
});

it('GET /readyz is 503 `draining` once shutdown has begun, while /healthz still answers', async () => {
  const draining = createDeps(t.deps.config, createLogger('silent'), t.database, t.deps.redisUrl);
  try {
    const app = createApp(draining);
    await expect.poll(async () => (await app.request('/readyz')).status, { timeout: 5000 }).toBe(200);
    draining.lifecycle.draining = true;
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'draining' });
    expect((await app.request('/healthz')).status).toBe(200);
  } finally {
    await closeDeps(draining);
  }
});

it('an unknown route is a 404 in Open’s error shape, carrying the request id', async () => {
  const res = await t.app.request('/nope', { headers: { 'x-request-id': 'trace-abc-123' } });
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ statusCode: 404, error: 'Not Found', request_id: 'trace-abc-123' });
});
