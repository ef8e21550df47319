import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../src/redis/free-port.ts';

// For the split topology (ROLE=api + ROLE=worker): a PostgreSQL (DATABASE_URL's, else a throwaway PostgreSQL
// started from Debian's binaries by scripts/start-postgres.sh) and one plain redis-server, both removed after.

const ROOT = resolve(import.meta.dirname, '..');

export async function withPostgresAndRedis<T>(fn: (databaseUrl: string, redisUrl: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-pg-'));
  execFileSync('chmod', ['755', dir]);
  const pgDir = join(dir, 'pg');
  const databaseUrl =
    process.env.DATABASE_URL ||
    execFileSync('bash', ['scripts/start-postgres.sh', pgDir, String(await findFreePort())], { cwd: ROOT, encoding: 'utf8' }).trim();
  const redisPort = await findFreePort();
  const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    await sleep(300);
    return await fn(databaseUrl, `redis://127.0.0.1:${redisPort}`);
  } finally {
    redis.kill('SIGTERM');
    if (!process.env.DATABASE_URL) execFileSync('bash', ['scripts/stop-postgres.sh', pgDir], { cwd: ROOT, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}
