import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { managedRedisUrl } from '../../src/redis/managed-redis-auth.ts';
import { openToOthers } from '../helpers/file-modes.ts';
import { rawRedisReply } from '../helpers/raw-redis.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

// The real server (src/main.ts) on its embedded defaults — PGlite in DATA_DIR and its own redis-server — started
// in a DATA_DIR a previous install left open to other users (0755, a world-readable file in it): afterwards
// nothing in DATA_DIR is open to them, and the managed Redis wants the password kept there.

let root: string;
let dataDir: string;
let server: RealServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sb-perm-'));
  dataDir = join(root, 'data');
  mkdirSync(dataDir);
  chmodSync(dataDir, 0o755);
  writeFileSync(join(dataDir, 'notes.txt'), 'left by an older version\n', { mode: 0o644 });
  chmodSync(join(dataDir, 'notes.txt'), 0o644);
  // No REDIS_URL: the server starts and supervises its own redis-server in DATA_DIR.
  server = await startRealServer({ DATA_DIR: dataDir, REDIS_URL: '' });
}, 90_000);
afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

it('makes an existing DATA_DIR owner-only and says so in the log', () => {
  expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  expect(server.log()).toMatch(/DATA_DIR was open to other users of this machine: made it owner-only/);
  expect(server.log()).toContain('"was":"0755","now":"0700"');
});

it('creates everything in DATA_DIR without group or other permissions: PGlite, Redis, the keys', () => {
  // What was created: the embedded database, the managed Redis's append-only files, its port and password, the master key.
  expect(readdirSync(join(dataDir, 'pglite')).length).toBeGreaterThan(10);
  for (const made of ['redis/appendonlydir', 'redis/port', 'redis/password', 'secret.key']) expect(existsSync(join(dataDir, made))).toBe(true);
  // notes.txt was there before: it stays as it was, behind a folder nobody else can enter.
  expect(openToOthers(dataDir)).toEqual([`0644 ${join(dataDir, 'notes.txt')}`]);
});

it('runs its Redis with the password from DATA_DIR: without it, NOAUTH', async () => {
  const url = new URL(managedRedisUrl(dataDir));
  expect(url.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(statSync(join(dataDir, 'redis', 'password')).mode & 0o777).toBe(0o600);
  expect(await rawRedisReply(Number(url.port), 'PING\r\n')).toMatch(/^-NOAUTH /);
  const authorized = new Redis(url.toString(), { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await authorized.connect();
    expect(await authorized.ping()).toBe('PONG');
  } finally {
    authorized.disconnect();
  }
  // The server itself got the password in its URL: it is ready (Redis answered its PING).
  expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
});
