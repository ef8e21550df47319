import { channelRegistry } from '../channels/registry.ts';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../src/db/client.ts';
import { organizations } from '../src/db/schema/index.ts';
import { createOrganization } from '../src/domain/organization/organizations.ts';
import { createRedis } from '../src/queue/connection.ts';
import { redisPrefix } from '../src/queue/names.ts';
import { findFreePort } from '../src/redis/free-port.ts';
import { managedRedisUrl } from '../src/redis/managed-redis-auth.ts';
import { type Child, startChild, waitForHttp } from './child.ts';
import { type HttpRequest, httpLoad, type LoadResult } from './load.ts';

// (d) The product: the real server (src/main.ts) in a child process with its managed redis-server, and
// POST /chat/sessions/{id}/send under load, then a check that every acknowledged message was stored and queued.

export const QUEUE_PREFIX = 'bench';

export interface Server {
  url: string;
  key: string;
  redisUrl: string;
  child: Child;
  stop(): Promise<void>;
}

/**
 * `env`: extra settings for the child (e.g. TURN_BURST_MS). `cpuProfileDir`: the child runs with --cpu-prof and
 * writes its profile there when it exits (stop() lets it exit cleanly).
 */
export async function startServer(
  databaseUrl: string | undefined,
  env: Record<string, string> = {},
  cpuProfileDir?: string,
): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const port = await findFreePort();
  const key = `sb_bench_${randomBytes(18).toString('base64url')}`;
  const child = startChild('src/main.ts', {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SWITCHBOARD_BOOTSTRAP_KEY: key,
    QUEUE_PREFIX,
    REDIS_URL: undefined, // the server starts its own managed redis-server
    DATABASE_URL: databaseUrl,
    SMTP_PORT: '0', // never collide with a Switchboard already listening on 2525
    ...env,
  }, cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : []);
  const url = `http://127.0.0.1:${port}`;
  let dropOrg = async () => {};
  const stop = async () => {
    await child.stop();
    await dropOrg().catch((err: unknown) => process.stderr.write(`bench: could not remove its organization: ${err}\n`));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(child, `${url}/readyz`, 60_000);
    const redisUrl = managedRedisUrl(dataDir);
    if (!databaseUrl) return { url, key, redisUrl, child, stop };
    const org = await benchOrganization(databaseUrl);
    dropOrg = org.drop;
    return { url, key: org.adminKey, redisUrl, child, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * A shared PostgreSQL may already have organizations (then the bootstrap key is not used): bench in our own
 * organization, deleted afterwards (every table cascades from organizations).
 */
async function benchOrganization(databaseUrl: string) {
  const org = await withDatabase(databaseUrl, (db) => createOrganization({ db, channels: channelRegistry }, `bench ${new Date().toISOString()}`));
  const drop = async () => void (await withDatabase(databaseUrl, (db) => db.delete(organizations).where(eq(organizations.id, org.id))));
  return { adminKey: org.adminKey, drop };
}

/**
 * The split topology (README, "Scaling out"): a ROLE=api process (profiled when `cpuProfileDir` is given) and a
 * ROLE=worker process on one PostgreSQL and one Redis. The Server is the api process.
 */
export async function startSplitServer(
  databaseUrl: string,
  redisUrl: string,
  env: Record<string, string> = {},
  cpuProfileDir?: string,
): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-split-'));
  const port = await findFreePort();
  const shared = { HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', QUEUE_PREFIX, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, SMTP_PORT: '0', SWITCHBOARD_SECRET: 's'.repeat(40), ...env };
  const api = startChild('src/main.ts', { ...shared, ROLE: 'api', PORT: String(port) }, cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : []);
  const workerPort = await findFreePort();
  const worker = startChild('src/main.ts', { ...shared, ROLE: 'worker', PORT: String(workerPort) });
  const url = `http://127.0.0.1:${port}`;
  let drop = async () => {};
  const stop = async () => {
    await Promise.all([api.stop(), worker.stop()]);
    await drop().catch((err: unknown) => process.stderr.write(`bench: could not remove its organization: ${err}\n`));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await Promise.all([waitForHttp(api, `${url}/readyz`, 60_000), waitForHttp(worker, `http://127.0.0.1:${workerPort}/readyz`, 60_000)]);
    const org = await benchOrganization(databaseUrl);
    drop = org.drop;
    return { url, key: org.adminKey, redisUrl, child: api, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function withDatabase<T>(url: string, fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>) {
  const database = await openDatabase({ url, poolSize: 1 });
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

export async function api(server: Server, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export interface SendResult extends LoadResult {
  sessions: number;
  acked: number;
  stored: number;
  turnJobs: number;
}

export async function sendMessageLoad(server: Server, sessions: number, connections: number, seconds: number): Promise<SendResult> {
  const ids: string[] = [];
  for (let i = 0; i < sessions; i++) {
    const created = await api(server, 'POST', '/chat/sessions', { contact: { email: `bench-${i}@example.com`, name: `Bench ${i}` } });
    ids.push(created.id as string);
  }
  let n = 0;
  const request: HttpRequest = {
    method: 'POST',
    path: `/chat/sessions/${ids[0]}/send`,
    headers: { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sender: 'contact', message: { type: 'text', text: 'Hello, where is my order #1234?' } }),
    setupRequest: (req) => ({ ...req, path: `/chat/sessions/${ids[n++ % ids.length]}/send` }),
  };
  const warm = await httpLoad(server.url, connections, 2, [request]);
  const run = await httpLoad(server.url, connections, seconds, [request]);
  const acked = warm.ok + run.ok;

  let stored = 0;
  for (const id of ids) stored += await countContactMessages(server, id);
  const turnJobs = await countTurnJobs(server.redisUrl, stored);
  return { ...run, sessions, acked, stored, turnJobs };
}

/** Contact messages in a session's history, page by page. */
async function countContactMessages(server: Server, sessionId: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const q: string = `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await api(server, 'GET', `/chat/sessions/${sessionId}/history${q}`);
    for (const item of page.items as Array<{ event: { type: string; sender?: { type: string } } }>) {
      if (item.event.type === 'message' && item.event.sender?.type === 'contact') count++;
    }
    cursor = page.next;
  } while (cursor);
  return count;
}

/** Turn jobs in every state; waits up to 5 s for the relay to catch up to `expected`. */
async function countTurnJobs(redisUrl: string, expected: number): Promise<number> {
  const connection = createRedis(redisUrl, 'plain');
  const queue = new Queue('turn', { connection, prefix: redisPrefix(QUEUE_PREFIX) });
  try {
    let total = 0;
    for (const deadline = Date.now() + 5000; ; await sleep(250)) {
      const counts = await queue.getJobCounts();
      total = Object.values(counts).reduce((a, b) => a + b, 0);
      if (total >= expected || Date.now() > deadline) return total;
    }
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
