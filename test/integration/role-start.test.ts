import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';

// ROLE=api and ROLE=worker share one PostgreSQL and one Redis: started without them, the server says so in one
// line and exits 1 before it creates anything (no embedded database, no managed Redis, no generated secret).

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string; dataDir: string }> {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'sb-role-')), 'data');
  dirs.push(resolve(dataDir, '..'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', ROLE: '', WORKERS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((ok) => child.once('exit', (code) => ok({ code, stderr, dataDir })));
}

it.each([
  [{ ROLE: 'worker' }, 'switchboard: ROLE=worker needs DATABASE_URL and REDIS_URL: '],
  [{ ROLE: 'api', REDIS_URL: 'redis://127.0.0.1:1' }, 'switchboard: ROLE=api needs DATABASE_URL: '],
  [{ WORKERS: 'off' }, 'switchboard: WORKERS=off (ROLE=api) needs DATABASE_URL and REDIS_URL: '],
])('%j without its stores: one line, exit 1, nothing created', async (env, line) => {
  const { code, stderr, dataDir } = await start(env);
  expect(code).toBe(1);
  expect(stderr.startsWith(line), stderr).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(readdirSync(resolve(dataDir, '..'))).toEqual([]);
}, 30_000);
