import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '../../src/db/schema/index.ts';
import { closeDeps, createDeps, type Deps } from '../../src/deps.ts';
import { liveChannel } from '../../src/domain/channels/live-channels.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { redisUrl } from '../helpers/services.ts';

// Provider webhooks find their channel in a cache (src/domain/channels/live-channels.ts). A second set of deps on
// the same database and Redis stands for a second process: a change made through the API in one must reach the
// other's cache at once, by the Redis notice, not after the entry's 30 s.

let a: TestApp;
let b: Deps;
let channelId: string;

beforeAll(async () => {
  a = await createTestApp();
  b = createDeps(a.deps.config, createLogger('silent'), a.database, redisUrl());
  const created = await a.json('POST', '/channels', { type: 'api', name: 'Cached' });
  expect(created.status).toBe(201);
  channelId = (created.body as { id: string }).id;
});
afterAll(async () => {
  await closeDeps(b);
  await a.close();
});

describe('live channels', () => {
  it('serves a channel from the cache, then drops it in every process when it is disabled or deleted', async () => {
    expect((await liveChannel(b, channelId))?.name).toBe('Cached');
    // Behind the cache's back: not seen (this is what the cache saves: no query per webhook)…
    await a.database.db.update(channels).set({ name: 'Renamed by SQL' }).where(eq(channels.id, channelId));
    expect((await liveChannel(b, channelId))?.name).toBe('Cached');

    // …but a change through the API is, in the other process too, within the notice's round trip.
    expect((await a.json('PATCH', `/channels/${channelId}`, { enabled: false })).status).toBe(200);
    expect(await liveChannel(a.deps, channelId)).toBeUndefined();
    await expect.poll(() => liveChannel(b, channelId), { timeout: 10_000, interval: 20 }).toBeUndefined();

    expect((await a.json('PATCH', `/channels/${channelId}`, { enabled: true })).status).toBe(200);
    await expect.poll(async () => (await liveChannel(b, channelId))?.enabled, { timeout: 10_000, interval: 20 }).toBe(true);

    expect((await a.json('DELETE', `/channels/${channelId}`)).status).toBe(200);
    await expect.poll(() => liveChannel(b, channelId), { timeout: 10_000, interval: 20 }).toBeUndefined();
  });

  it('does not keep unknown ids', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await liveChannel(b, unknown)).toBeUndefined();
    // Had the miss been kept, a channel created under that id afterwards would stay invisible.
    await a.database.db.insert(channels).values({ id: unknown, orgId: a.orgId, type: 'api', provider: 'api', name: 'Late', publicId: 'late-public-id' });
    expect((await liveChannel(b, unknown))?.name).toBe('Late');
  });
});
