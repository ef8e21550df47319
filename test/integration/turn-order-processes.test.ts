import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import { afterAll, expect, inject, it } from 'vitest';
import { messages } from '../../src/db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// turn-order.test.ts with two real OS worker processes (test/peers/worker-process.ts) instead of two worker sets
// in this process: a burst of messages into one session, turns taken by either process, never two at once, replies
// in order. Each process has its own memory, so the slow responder records overlap in Redis, not in a counter.
//
// Both processes must open the test's database, so this needs a database server: it runs only when the suite runs
// against PostgreSQL (DATABASE_URL set, CI's second pass). The in-memory PGlite of the other pass belongs to this
// process alone and no other process can reach it.

const serverUrl = inject('databaseUrl');
const WORKER_SCRIPT = fileURLToPath(new URL('../peers/worker-process.ts', import.meta.url));

let t: TestApp | undefined;
const children: ChildProcess[] = [];

afterAll(async () => {
  // After a failure the children may still run: they must be gone before the database is dropped.
  await Promise.all(children.map((c) => (exited(c) ? undefined : stop(c, 'SIGKILL'))));
  if (t) {
    const r = t.deps.redis;
    const prefix = t.deps.config.queuePrefix;
    const keys = await r.keys(`${prefix}:active:*`).catch(() => [] as string[]);
    await r.del(`${prefix}:overlap`, `${prefix}:turns`, ...keys).catch(() => {});
    await t.close();
  }
});

// Skipped without a database server: see the top of this file.
it.skipIf(!serverUrl)('two worker processes never run two turns of one session at once; replies follow the questions in order', async () => {
  const app = await createTestApp({ TURN_BURST_MS: '30' });
  t = app;
  const { config, redis } = app.deps;
  const prefix = config.queuePrefix;

  const [row] = (await app.database.db.execute(sql`select current_database() as name`)) as unknown as Array<{ name: string }>;
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${row!.name}`;
  const env: Record<string, string> = {
    ...pick(process.env, ['PATH', 'HOME', 'TMPDIR']),
    DATABASE_URL: databaseUrl.toString(),
    REDIS_URL: app.deps.redisUrl,
    QUEUE_PREFIX: prefix,
    TURN_BURST_MS: String(config.workers.burstMs),
    LOG_LEVEL: 'silent',
    SWITCHBOARD_SECRET: config.secret,
    DATA_DIR: config.dataDir,
    // One job at a time per process: no process can overlap with itself, so any overlap seen is between the two.
    WORKER_CONCURRENCY: '1',
  };
  for (let i = 0; i < 2; i++) children.push(spawnWorker(env));
  await Promise.all(children.map(ready));

  const { id } = (await (await app.call('POST', '/chat/sessions', {})).json()) as { id: string };
  for (let i = 1; i <= 8; i++) {
    const res = await app.call('POST', `/chat/sessions/${id}/send`, { sender: 'contact', message: { type: 'text', text: `q${i}` } });
    expect(res.status).toBe(201);
    await new Promise((r) => setTimeout(r, 60));
  }
  const rows = async () => app.database.db.select().from(messages).where(eq(messages.sessionId, id)).orderBy(messages.seq);
  await expect
    .poll(async () => (await rows()).filter((m) => m.turnState === 'pending' || m.deliveryStatus === 'queued').length, { timeout: 30_000 })
    .toBe(0);

  expect(await redis.get(`${prefix}:overlap`)).toBeNull();
  const chat = (await rows()).filter((m) => m.eventType === 'message');
  // Every question is answered exactly once, in order, and each answer comes after the questions it answers.
  const answered = chat.filter((m) => m.sender === 'ai').flatMap((m) => m.text!.replace('answer to: ', '').split(' | '));
  expect(answered).toEqual(['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8']);
  const asked = new Set<string>();
  for (const m of chat) {
    if (m.sender === 'contact') asked.add(m.text!);
    else for (const q of m.text!.replace('answer to: ', '').split(' | ')) expect(asked.has(q)).toBe(true);
  }
  expect(chat.filter((m) => m.sender === 'ai').every((m) => m.deliveryStatus === 'delivered')).toBe(true);
  // The answers came from the child processes (this process runs no workers).
  const turns = await redis.hgetall(`${prefix}:turns`);
  expect(Object.keys(turns).every((pid) => children.some((c) => String(c.pid) === pid))).toBe(true);
  expect(Object.values(turns).reduce((n, v) => n + Number(v), 0)).toBeGreaterThanOrEqual(chat.filter((m) => m.sender === 'ai').length);

  // Both close cleanly on SIGTERM: running jobs finish, connections close, the process ends by itself.
  const codes = await Promise.all(children.map((c) => stop(c, 'SIGTERM')));
  expect(codes).toEqual([
    { code: 0, signal: null },
    { code: 0, signal: null },
  ]);
}, 90_000);

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const output = new WeakMap<ChildProcess, { stdout: string; stderr: string; exit: Promise<Exit> }>();

function spawnWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seen = { stdout: '', stderr: '', exit: new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))) };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (seen.stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (seen.stderr += s));
  output.set(child, seen);
  return child;
}

/** Resolves once the child printed "ready"; rejects (with its stderr) if it exits first or takes too long. */
async function ready(child: ChildProcess): Promise<void> {
  const seen = output.get(child)!;
  const deadline = Date.now() + 30_000;
  while (!/^ready$/m.test(seen.stdout)) {
    if (exited(child)) throw new Error(`worker process exited before ready (${child.exitCode ?? child.signalCode}): ${seen.stderr}`);
    if (Date.now() > deadline) throw new Error(`worker process not ready after 30 s: ${seen.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Sends the signal (unless already gone) and resolves with how the child ended; SIGKILL after 15 s. */
async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<Exit> {
  const seen = output.get(child)!;
  if (!exited(child)) child.kill(signal);
  const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const exit = await seen.exit.finally(() => clearTimeout(kill));
  if (exit.code !== 0 && signal === 'SIGTERM') process.stderr.write(`worker process ${child.pid}: ${seen.stderr}\n`);
  return exit;
}

function pick(env: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((n) => (env[n] ? [[n, env[n]]] : [])));
}
