import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { isPortFree } from '../../src/redis/free-port.ts';
import { startManagedRedis, type ManagedRedis } from '../../src/redis/managed-redis.ts';
import { probeRedis } from '../../src/redis/probe.ts';

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'managed-redis-test');

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function withClient<T>(url: string, fn: (c: Redis) => Promise<T>): Promise<T> {
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    c.disconnect();
  }
}

describe('startManagedRedis', () => {
  let dataDir: string;
  let redis: ManagedRedis;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-managed-redis-'));
    redis = await startManagedRedis({ dataDir, logger });
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers PING on 127.0.0.1, keeps an AOF and remembers its port', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await withClient(redis.url, (c) => c.ping())).toBe('PONG');
    const config = await withClient(redis.url, (c) => c.config('GET', 'appendonly'));
    expect(config).toEqual(['appendonly', 'yes']);
    expect(existsSync(join(dataDir, 'redis', 'appendonlydir'))).toBe(true);
    expect(readFileSync(join(dataDir, 'redis', 'port'), 'utf8').trim()).toBe(String(redis.port));
  });

  it('kill() takes it down without a restart; restart() brings it back on the same port with its data', async () => {
    await withClient(redis.url, (c) => c.set('survives', 'sigkill'));
    redis.kill('SIGKILL');
    await until('redis to go down', async () => (await probeRedis(redis.port)) === null);
    await sleep(1000); // supervision would have restarted it within 200 ms
    expect(await probeRedis(redis.port)).toBeNull();

    await redis.restart();
    expect(await probeRedis(redis.port)).toBeGreaterThan(0);
    // The AOF was written before the reply was sent, so even SIGKILL loses nothing acknowledged.
    expect(await withClient(redis.url, (c) => c.get('survives'))).toBe('sigkill');
  });

  it('is restarted by supervision when it dies unexpectedly', async () => {
    const pid = (await probeRedis(redis.port))!;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    const newPid = await until('supervision to restart redis', async () => {
      const p = await probeRedis(redis.port);
      return p !== null && p !== pid ? p : null;
    });
    expect(newPid).not.toBe(pid);
    expect(await withClient(redis.url, (c) => c.get('survives'))).toBe('sigkill');
  });

  it('refuses a port another redis-server answers on, with a clear error', async () => {
    const other = mkdtempSync(join(tmpdir(), 'switchboard-managed-redis-other-'));
    try {
      await expect(startManagedRedis({ dataDir: other, logger, port: redis.port })).rejects.toThrow(
        new RegExp(`port ${redis.port}`),
      );
      expect(await probeRedis(redis.port)).toBeGreaterThan(0); // the first one is undisturbed
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('stop() closes the port, and a later start in the same data dir reuses the port', async () => {
    const port = redis.port;
    await redis.stop();
    await redis.stop(); // idempotent
    expect(await probeRedis(port)).toBeNull();
    expect(await isPortFree(port)).toBe(true);

    redis = await startManagedRedis({ dataDir, logger });
    expect(redis.port).toBe(port);
    expect(await withClient(redis.url, (c) => c.get('survives'))).toBe('sigkill');
  });
});
