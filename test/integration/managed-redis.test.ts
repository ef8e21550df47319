import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { type NetworkInterfaceInfo, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { isPortFree } from '../../src/redis/free-port.ts';
import { startManagedRedis, type ManagedRedis } from '../../src/redis/managed-redis.ts';
import { probeRedis } from '../../src/redis/probe.ts';
import { rawRedisReply } from '../helpers/raw-redis.ts';

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
  const probe = (port: number) => probeRedis(port, { password: redis.password });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-managed-redis-'));
    redis = await startManagedRedis({ dataDir, logger });
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers PING on 127.0.0.1, keeps an AOF and remembers its port', async () => {
    expect(redis.url).toBe(`redis://:${redis.password}@127.0.0.1:${redis.port}`);
    expect(await withClient(redis.url, (c) => c.ping())).toBe('PONG');
    const config = await withClient(redis.url, (c) => c.config('GET', 'appendonly'));
    expect(config).toEqual(['appendonly', 'yes']);
    expect(existsSync(join(dataDir, 'redis', 'appendonlydir'))).toBe(true);
    expect(readFileSync(join(dataDir, 'redis', 'port'), 'utf8').trim()).toBe(String(redis.port));
  });

  it('requires the password kept in DATA_DIR/redis/password (0600), which is not on its command line', async () => {
    const file = join(dataDir, 'redis', 'password');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(redis.password);
    expect(redis.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await rawRedisReply(redis.port, 'PING\r\n')).toMatch(/^-NOAUTH /);
    expect(await rawRedisReply(redis.port, 'AUTH not-the-password\r\nPING\r\n')).toMatch(/^-WRONGPASS /);
    expect(await rawRedisReply(redis.port, `AUTH ${redis.password}\r\nPING\r\n`)).toBe('+OK\r\n+PONG\r\n');
    const pid = (await probe(redis.port))!;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    expect(cmdline).toContain('redis-server');
    expect(cmdline).not.toContain(redis.password);
  });

  it('listens on the loopback interface only', async () => {
    expect(await withClient(redis.url, (c) => c.config('GET', 'bind'))).toEqual(['bind', '127.0.0.1']);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a): a is NetworkInterfaceInfo => a !== undefined && !a.internal && a.family === 'IPv4');
    expect(external.length).toBeGreaterThan(0); // the machine must have one for this check to mean anything
    for (const { address } of external) {
      await expect(rawRedisReply(redis.port, 'PING\r\n', address)).rejects.toThrow(/ECONNREFUSED/);
    }
  });

  it('kill() takes it down without a restart; restart() brings it back on the same port with its data', async () => {
    await withClient(redis.url, (c) => c.set('survives', 'sigkill'));
    redis.kill('SIGKILL');
    await until('redis to go down', async () => (await probe(redis.port)) === null);
    await sleep(1000); // supervision would have restarted it within 200 ms
    expect(await probe(redis.port)).toBeNull();

    await redis.restart();
    expect(await probe(redis.port)).toBeGreaterThan(0);
    // The AOF was written before the reply was sent, so even SIGKILL loses nothing acknowledged.
    expect(await withClient(redis.url, (c) => c.get('survives'))).toBe('sigkill');
  });

  it('is restarted by supervision when it dies unexpectedly', async () => {
    const pid = (await probe(redis.port))!;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    const newPid = await until('supervision to restart redis', async () => {
      const p = await probe(redis.port);
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
      expect(await probe(redis.port)).toBeGreaterThan(0); // the first one is undisturbed
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('stop() closes the port, and a later start in the same data dir reuses the port and the password', async () => {
    const { port, password, url } = redis;
    await redis.stop();
    await redis.stop(); // idempotent
    expect(await probe(port)).toBeNull();
    expect(await isPortFree(port)).toBe(true);

    redis = await startManagedRedis({ dataDir, logger });
    expect(redis.port).toBe(port);
    expect(redis.password).toBe(password);
    expect(redis.url).toBe(url);
    expect(await withClient(redis.url, (c) => c.get('survives'))).toBe('sigkill');
  });
});
