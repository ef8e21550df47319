import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../src/redis/free-port.ts';
import { closedLoop } from './load.ts';
import { withPostgresAndRedis } from './pg-redis.ts';
import type { Row } from './report.ts';

// Start-up and memory (BENCH_ONLY=startup): the built server (`node dist/src/main.js`, as npm start and the image
// run it) timed from spawn to its first 200 on /readyz, on a fresh and on a warm data dir, and its resident memory
// idle and under load, per role: ROLE=all on the embedded PGlite, then ROLE=api and ROLE=worker on a PostgreSQL
// (DATABASE_URL's, else a throwaway PostgreSQL 15) and one redis-server. The baseline, in the same run: a bare
// node HTTP server, spawned and measured the same way.

const ROOT = resolve(import.meta.dirname, '..');
const GOALS = { warmMs: 3000, freshMs: 5000, allIdleMb: 400, apiIdleMb: 150 };
const IDLE_SETTLE_MS = 5000;
const LOAD = { inFlight: 20, seconds: 8 };

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

/** Resident memory of a process, from /proc (MB). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

interface Proc {
  proc: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

function spawnNode(args: string[], env: Record<string, string | undefined>, port: number): Proc {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-4000)));
  proc.once('exit', (code) => code && log(`a child exited with ${code}: ${err}`));
  const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
  return {
    proc,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Milliseconds from `start` until `path` answers 200. */
async function timeToReady(p: Proc, path: string, start: number, timeoutMs = 60_000): Promise<number> {
  for (;;) {
    if (await fetch(`${p.url}${path}`, { signal: AbortSignal.timeout(500) }).then((r) => r.ok, () => false)) return Date.now() - start;
    if (p.proc.exitCode !== null) throw new Error('the server exited before it was ready');
    if (Date.now() - start > timeoutMs) throw new Error(`${path} not ready within ${timeoutMs} ms`);
    await sleep(20);
  }
}

async function startBuilt(env: Record<string, string | undefined>): Promise<{ p: Proc; readyMs: number }> {
  const port = await findFreePort();
  const start = Date.now();
  const p = spawnNode(['dist/src/main.js'], { LOG_LEVEL: 'warn', SMTP_PORT: '0', HOST: '127.0.0.1', PORT: String(port), ...env }, port);
  return { p, readyMs: await timeToReady(p, '/readyz', start) };
}

/** The highest RSS of `pids` while `work` runs, sampled every 100 ms. */
async function peakRss(pids: number[], work: () => Promise<unknown>): Promise<number[]> {
  const peak = pids.map(() => 0);
  let running = true;
  const sampler = (async () => {
    while (running) {
      pids.forEach((pid, i) => (peak[i] = Math.max(peak[i]!, rssMb(pid))));
      await sleep(100);
    }
  })();
  await work();
  running = false;
  await sampler;
  return peak;
}

/** Messages into one API session each from `inFlight` callers, for `seconds`. */
async function messageLoad(url: string, key: string, inFlight: number, seconds: number): Promise<number> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const sessions = await Promise.all(
    Array.from({ length: inFlight }, async (_, i) => {
      const res = await fetch(`${url}/chat/sessions`, { method: 'POST', headers, body: JSON.stringify({ contact: { email: `startup-${i}-${Date.now()}@example.com`, name: `Load ${i}` } }) });
      return ((await res.json()) as { id: string }).id;
    }),
  );
  const result = await closedLoop(inFlight, seconds, (i) =>
    fetch(`${url}/chat/sessions/${sessions[i % inFlight]}/send`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ sender: 'contact', message: { type: 'text', text: `Where is my order ${i}?` } }),
    }).then(async (r) => {
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`send: ${r.status}`);
    }),
  );
  return result.opsPerSec;
}

export async function startupRun(): Promise<{ rows: Row[]; ratios: Array<[string, number]>; footer: string[]; json: Record<string, unknown>; ok: boolean }> {
  log('startup: building dist/ (npm run build)…');
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'ignore' });

  log('startup: baseline, a bare node HTTP server…');
  const basePort = await findFreePort();
  const baseStart = Date.now();
  const base = spawnNode(['-e', `require('http').createServer((q, s) => s.end('ok')).listen(${basePort}, '127.0.0.1')`], {}, basePort);
  const baseReadyMs = await timeToReady(base, '/', baseStart);
  const baseRss = rssMb(base.proc.pid!);
  await base.stop();

  log('startup: ROLE=all on PGlite, fresh data dir, then warm…');
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-startup-'));
  const key = `sb_bench_${randomBytes(18).toString('base64url')}`;
  const allEnv = { DATA_DIR: dataDir, SWITCHBOARD_BOOTSTRAP_KEY: key, DATABASE_URL: undefined, REDIS_URL: undefined, ROLE: 'all' };
  const fresh = await startBuilt(allEnv);
  await fresh.p.stop();
  const warm = await startBuilt(allEnv);
  await sleep(IDLE_SETTLE_MS);
  const allIdle = rssMb(warm.p.proc.pid!);
  let allRate = 0;
  const [allLoad] = await peakRss([warm.p.proc.pid!], async () => (allRate = await messageLoad(warm.p.url, key, LOAD.inFlight, LOAD.seconds)));
  await warm.p.stop();
  rmSync(dataDir, { recursive: true, force: true });

  log('startup: ROLE=api and ROLE=worker on PostgreSQL and one redis-server…');
  const roles = await withPostgresAndRedis(async (databaseUrl, redisUrl) => {
    const shared = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: `bstart${Date.now()}`, SWITCHBOARD_SECRET: 'b'.repeat(40) };
    const apiDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-api-'));
    const api = await startBuilt({ ...shared, ROLE: 'api', DATA_DIR: apiDir, SWITCHBOARD_BOOTSTRAP_KEY: key });
    const worker = await startBuilt({ ...shared, ROLE: 'worker', DATA_DIR: apiDir });
    try {
      await sleep(IDLE_SETTLE_MS);
      const idle = { api: rssMb(api.p.proc.pid!), worker: rssMb(worker.p.proc.pid!) };
      // A shared PostgreSQL may already have an organization: then the bootstrap key was not used.
      const keyWorks = await fetch(`${api.p.url}/chat/sessions?limit=1`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.ok);
      let rate = 0;
      const [apiPeak, workerPeak] = keyWorks
        ? await peakRss([api.p.proc.pid!, worker.p.proc.pid!], async () => (rate = await messageLoad(api.p.url, key, LOAD.inFlight, LOAD.seconds)))
        : [Number.NaN, Number.NaN];
      return { apiReadyMs: api.readyMs, workerReadyMs: worker.readyMs, idle, load: { api: apiPeak!, worker: workerPeak! }, rate };
    } finally {
      await api.p.stop();
      await worker.p.stop();
      rmSync(apiDir, { recursive: true, force: true });
    }
  });

  const mb = (n: number) => `${n.toFixed(0)} MB`;
  const ok = warm.readyMs <= GOALS.warmMs && fresh.readyMs <= GOALS.freshMs && allIdle <= GOALS.allIdleMb && roles.idle.api <= GOALS.apiIdleMb;
  const rows: Row[] = [
    { name: 'bare node HTTP server: spawn → first 200', rate: baseReadyMs, unit: 'ms', note: `baseline; RSS ${mb(baseRss)}` },
    { name: 'ROLE=all, PGlite, fresh data dir → /readyz', rate: fresh.readyMs, unit: 'ms', note: `goal ≤ ${GOALS.freshMs} ms; ${(fresh.readyMs / baseReadyMs).toFixed(1)}× bare node` },
    { name: 'ROLE=all, PGlite, warm data dir → /readyz', rate: warm.readyMs, unit: 'ms', note: `goal ≤ ${GOALS.warmMs} ms` },
    { name: 'ROLE=all, PGlite: RSS idle', rate: allIdle, unit: 'MB', note: `goal ≤ ${GOALS.allIdleMb} MB; ${(allIdle / baseRss).toFixed(1)}× bare node` },
    { name: 'ROLE=all, PGlite: RSS peak under load', rate: allLoad!, unit: 'MB', note: `${LOAD.inFlight} senders, ${allRate.toFixed(0)} msg/s for ${LOAD.seconds} s` },
    { name: 'ROLE=api, PostgreSQL: start → /readyz', rate: roles.apiReadyMs, unit: 'ms', note: `ROLE=worker: ${roles.workerReadyMs} ms` },
    { name: 'ROLE=api, PostgreSQL: RSS idle', rate: roles.idle.api, unit: 'MB', note: `goal ≤ ${GOALS.apiIdleMb} MB` },
    { name: 'ROLE=worker, PostgreSQL: RSS idle', rate: roles.idle.worker, unit: 'MB' },
    { name: 'ROLE=api / ROLE=worker: RSS peak under load', rate: roles.load.api, unit: 'MB', note: `worker ${mb(roles.load.worker)}; ${roles.rate.toFixed(0)} msg/s through the api process` },
  ];
  const footer = [`start-up and memory: built server (node dist/src/main.js), idle = ${IDLE_SETTLE_MS / 1000} s after ready → ${ok ? 'all goals met' : 'a goal is missed'}`];
  const json = {
    goals: GOALS,
    baseline: { readyMs: baseReadyMs, rssMb: baseRss },
    all: { freshReadyMs: fresh.readyMs, warmReadyMs: warm.readyMs, idleRssMb: allIdle, loadRssMb: allLoad, loadRate: allRate },
    roles,
    ok,
  };
  const ratios: Array<[string, number]> = [
    ['warm start-up / bare node start-up', warm.readyMs / baseReadyMs],
    ['ROLE=all idle RSS / bare node RSS', allIdle / baseRss],
  ];
  return { rows, ratios, footer, json, ok };
}
