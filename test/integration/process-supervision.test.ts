import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.ts';

// `npm start` as an operator runs it: whatever way its process dies, nothing it started stays behind. kill -9 of
// npm (nobody can forward that) makes the server shut down and stop its managed Redis; a start that fails (the
// port is taken) stops the Redis it had already started.

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
// npm start builds dist/ when it is stale (scripts/start.sh): build once here, so each start below is a start.
beforeAll(() => void execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'ignore' }), 120_000);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The pids whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc').flatMap((name) => {
    if (!/^\d+$/.test(name)) return [];
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid === pid ? [Number(name)] : [];
    } catch {
      return [];
    }
  });
}
const commandOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

const portOpen = (port: number) =>
  new Promise<boolean>((ok) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), ok(true)));
    s.once('error', () => ok(false));
  });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return check();
}

function npmStart(port: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-npm-start-'));
  dirs.push(dataDir);
  const env = { ...process.env, PORT: String(port), SMTP_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', DATABASE_URL: '', REDIS_URL: '' };
  const npm = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  npm.stdout.on('data', (c) => (log += c));
  npm.stderr.on('data', (c) => (log += c));
  const redisPort = () => Number(readFileSync(join(dataDir, 'redis', 'port'), 'utf8').trim());
  return { npm, log: () => log, redisPort };
}

it('SIGTERM to npm start: its one child is node running dist/src/main.js, and it drains and exits with nothing left', async () => {
  const port = await freePort();
  const run = npmStart(port);
  const ready = await until(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false), 60_000);
  expect(ready, run.log()).toBe(true);
  // No wrapper chain: npm's child is the server itself (sh and bash exec'd into it), no tsx, no esbuild service.
  const children = childrenOf(run.npm.pid!);
  expect(children).toHaveLength(1);
  const server = children[0]!;
  expect(commandOf(server)).toEqual([expect.stringMatching(/node$/), '--enable-source-maps', 'dist/src/main.js']);
  // Beside it only its managed redis-server and that Redis's watchdog (src/redis/watchdog.ts): no tsx, no esbuild.
  const helpers = childrenOf(server);
  const names = helpers.map((pid) => commandOf(pid)[0] ?? '');
  expect(names.filter((n) => !/^(redis-server|sh)(\s|$)/.test(n.split('/').pop()!)), String(names)).toEqual([]);
  const redisPort = run.redisPort();
  const exited = new Promise<number | null>((ok) => run.npm.once('exit', ok));
  run.npm.kill('SIGTERM');
  expect(await exited).not.toBeUndefined();
  expect(await until(() => !alive(server), 15_000), run.log()).toBe(true);
  expect(await until(async () => !(await portOpen(redisPort)), 10_000)).toBe(true);
  expect(await until(() => helpers.every((pid) => !alive(pid)), 10_000), String(names)).toBe(true);
  expect(run.log()).toMatch(/shutting down/);
  expect(run.log()).toMatch(/"msg":"stopped"/);
}, 90_000);

it('kill -9 of npm start: the server and its managed Redis exit on their own', async () => {
  const port = await freePort();
  const run = npmStart(port);
  const ready = await until(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false), 60_000);
  expect(ready, run.log()).toBe(true);
  const redisPort = run.redisPort();
  expect(await portOpen(redisPort)).toBe(true);
  run.npm.kill('SIGKILL');
  expect(await until(async () => !(await portOpen(port)), 15_000), run.log()).toBe(true);
  expect(await until(async () => !(await portOpen(redisPort)), 10_000)).toBe(true);
}, 90_000);

it('a start that fails (port in use) leaves no managed Redis behind', async () => {
  const port = await freePort();
  const taken: Server = createServer().listen(port, '127.0.0.1');
  try {
    const run = npmStart(port);
    const code = await new Promise<number | null>((ok) => run.npm.once('exit', ok));
    expect(code).not.toBe(0);
    expect(run.log()).toMatch(/EADDRINUSE|address already in use/i);
    const redisPort = run.redisPort();
    expect(await until(async () => !(await portOpen(redisPort)), 10_000)).toBe(true);
    expect(alive(run.npm.pid!)).toBe(false);
  } finally {
    taken.close();
  }
}, 90_000);
