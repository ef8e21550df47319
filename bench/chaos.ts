import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../test/chaos/processes.ts';
import { runChaos, type ChaosFigures } from '../test/chaos/chaos-run.ts';
import { machine } from './report.ts';

// npm run chaos: the large chaos run (2,000 signed SMS from new senders, 30 % delivered twice, kill -9 of the server
// twice and of Redis once) on PostgreSQL: DATABASE_URL's server, else a throwaway PostgreSQL 15 started here.
// Prints each figure beside its goal and writes artifacts/chaos.json. CHAOS_MESSAGES, CHAOS_RATE (per second) and
// CHAOS_CONCURRENCY size it.

const ROOT = resolve(import.meta.dirname, '..');
const messages = Number(process.env.CHAOS_MESSAGES ?? 2000);
const concurrency = Number(process.env.CHAOS_CONCURRENCY ?? 50);
const ratePerSecond = Number(process.env.CHAOS_RATE ?? 20);

async function withPostgres<T>(fn: (url: string) => Promise<T>): Promise<T> {
  if (process.env.DATABASE_URL) return fn(process.env.DATABASE_URL);
  const dir = mkdtempSync(join(tmpdir(), 'sb-chaos-pg-'));
  execFileSync('chmod', ['755', dir]);
  const pgDir = join(dir, 'pg');
  const url = execFileSync('bash', ['scripts/start-postgres.sh', pgDir, String(await freePort())], { cwd: ROOT, encoding: 'utf8' }).trim();
  try {
    return await fn(url);
  } finally {
    execFileSync('bash', ['scripts/stop-postgres.sh', pgDir], { cwd: ROOT, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(f: ChaosFigures): string {
  const rows: Array<[string, string, string]> = [
    ['messages acknowledged', String(f.messages), ''],
    ['kill -9 (server, Redis, server)', String(f.kills), ''],
    ['lost', String(f.lost), '0'],
    ['stored twice', String(f.storedTwice), '0'],
    ['unanswered', String(f.unanswered), '0'],
    ['duplicate replies', String(f.duplicateReplies), `≤ ${f.kills} (1 per kill)`],
    ['reply latency p50 / p99', `${f.reply.p50Ms} / ${f.reply.p99Ms} ms`, ''],
    [`recovery after restart p50 / p99 (${f.recovery.count} in flight)`, `${f.recovery.p50Ms} / ${f.recovery.p99Ms} ms`, 'p99 ≤ 15,000 ms'],
    ['run time', `${f.seconds} s`, ''],
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['figure', 'value', 'goal'][i]!.length));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
  return [line(['figure', 'value', 'goal']), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const figures = await withPostgres((databaseUrl) =>
  runChaos({ messages, concurrency, ratePerSecond, databaseUrl, log: (m) => console.log(`[chaos] ${m}`) }),
);
console.log(`\n${report(figures)}\n`);
mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
writeFileSync(join(ROOT, 'artifacts', 'chaos.json'), `${JSON.stringify({ machine: machine(), figures }, null, 2)}\n`);
const ok = figures.lost === 0 && figures.storedTwice === 0 && figures.unanswered === 0 && figures.duplicateReplies <= figures.kills && figures.recovery.p99Ms <= 15_000;
console.log(ok ? 'every goal met' : 'GOAL MISSED (see the table)');
