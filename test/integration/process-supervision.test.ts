import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.ts';

// `npm start` as an operator runs it: whatever way its process dies, nothing it started stays behind. kill -9 of
// npm (nobody can forward that) makes the server shut down and stop its managed Redis; a start that fails (the
// port is taken) stops the Redis it had already started.

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

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
