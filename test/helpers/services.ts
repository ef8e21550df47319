import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';

/** The redis-server shared by the whole test run (started by test/global-setup.ts). */
export const redisUrl = (): string => inject('redisUrl');

/** A queue prefix no other test file uses, so test files can share the one Redis. */
export const freshQueuePrefix = (): string => `t${randomUUID().slice(0, 8)}`;

/**
 * A migrated database nobody else uses; `close()` disposes of it.
 * With DATABASE_URL set for the run (CI's second pass), a new database on that PostgreSQL server, dropped on close;
 * else an in-memory PGlite loaded from the migrated dump made once by the global setup.
 */
export async function freshDatabase(): Promise<Database> {
  const serverUrl = inject('databaseUrl');
  return serverUrl ? freshPostgresDatabase(serverUrl) : freshPgliteDatabase();
}

let dump: Buffer | undefined;

/** An in-memory PGlite, already migrated (its migrate() is a no-op). */
export async function freshPgliteDatabase(): Promise<Database> {
  dump ??= readFileSync(inject('pgliteDump'));
  return openDatabase({ pgliteDir: 'memory://', pgliteLoad: new Blob([dump], { type: 'application/gzip' }) });
}

/** `CREATE DATABASE sb_t_<random>` on the server, migrated; close() ends the pool and drops the database. */
export async function freshPostgresDatabase(serverUrl: string, poolSize = 5): Promise<Database> {
  const name = `sb_t_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, (sql) => sql.unsafe(`create database "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize });
  const closePool = database.close;
  database.close = async () => {
    await closePool();
    await onServer(serverUrl, (sql) => sql.unsafe(`drop database if exists "${name}" with (force)`));
  };
  try {
    await database.migrate();
  } catch (err) {
    await database.close().catch(() => {});
    throw err;
  }
  return database;
}

async function onServer(serverUrl: string, fn: (sql: postgres.Sql) => Promise<unknown>): Promise<void> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
