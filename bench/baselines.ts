import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { openDatabase } from '../src/db/client.ts';
import { createRedis } from '../src/queue/connection.ts';
import { startChild } from './child.ts';
import { closedLoop, type HttpRequest, httpLoad, type LoadResult, type LoopResult } from './load.ts';

// The three baselines the product is compared with, each the bare library doing the one thing the product does.

/** A JSON body of exactly `bytes` bytes, shaped like a message. */
export function jsonBodyOf(bytes: number): string {
  const base = JSON.stringify({ sender: 'contact', message: { type: 'text', text: '' } });
  return JSON.stringify({ sender: 'contact', message: { type: 'text', text: 'x'.repeat(bytes - base.length) } });
}

/** (a) bare Hono POST echo of a 1 KB JSON body, served by a child process. */
export function honoEcho(connections: number, seconds: number): Promise<LoadResult> {
  return echoServerLoad(connections, seconds, { method: 'POST', path: '/echo', headers: { 'content-type': 'application/json' }, body: jsonBodyOf(1024) });
}

/** (a') bare Hono form POST: `body` (a signed Twilio webhook's form params) parsed, empty TwiML answered. */
export function honoForm(connections: number, seconds: number, body: string): Promise<LoadResult> {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  return echoServerLoad(connections, seconds, { method: 'POST', path: '/form', headers, body });
}

async function echoServerLoad(connections: number, seconds: number, req: HttpRequest): Promise<LoadResult> {
  const child = startChild('bench/echo-server.ts');
  try {
    const [, url] = await child.waitFor(/listening (\S+)/, 20_000);
    await httpLoad(url!, connections, 1, [req]); // warm-up (JIT)
    return await httpLoad(url!, connections, seconds, [req]);
  } finally {
    await child.stop();
  }
}

/** (b) raw BullMQ `add` with `inFlight` adds outstanding, job data shaped like a turn job (ids only). */
export async function bullmqAdd(redisUrl: string, inFlight: number, seconds: number): Promise<LoopResult> {
  const connection = createRedis(redisUrl, 'plain');
  const queue = new Queue('bench-add', { connection, prefix: `{bench-${randomUUID().slice(0, 8)}}` });
  const data = { orgId: randomUUID(), sessionId: randomUUID() };
  try {
    const op = () => queue.add('api', { ...data, messageId: randomUUID() }, { removeOnComplete: true });
    await closedLoop(inFlight, 0.5, op); // warm-up
    return await closedLoop(inFlight, seconds, op);
  } finally {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    connection.disconnect();
  }
}

const benchRows = pgTable('bench_inserts', {
  id: uuid('id').primaryKey().defaultRandom(),
  seq: integer('seq').notNull(),
  text: text('text').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * (c) raw drizzle single-row inserts (one autocommit statement each), `inFlight` outstanding, into the database
 * kind the product uses: PostgreSQL when DATABASE_URL is set (a scratch table, dropped after), else a file-backed
 * PGlite in a temp folder (PGlite is single-process: the server's own one cannot be shared).
 */
export async function drizzleInserts(databaseUrl: string | undefined, inFlight: number, seconds: number) {
  const dir = databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'switchboard-bench-db-'));
  const database = await openDatabase(databaseUrl ? { url: databaseUrl, poolSize: 10 } : { pgliteDir: join(dir!, 'pglite') });
  const { db } = database;
  try {
    await db.execute(sql`drop table if exists bench_inserts`);
    await db.execute(sql`create table bench_inserts (id uuid primary key default gen_random_uuid(),
      seq integer not null, text text not null, created_at timestamptz not null default now())`);
    const op = (i: number) => db.insert(benchRows).values({ seq: i, text: 'Hello, where is my order #1234?' });
    await closedLoop(inFlight, 0.5, op); // warm-up
    const result = await closedLoop(inFlight, seconds, op);
    return { ...result, kind: database.kind };
  } finally {
    await db.execute(sql`drop table if exists bench_inserts`).catch(() => {});
    await database.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
