import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

// A database of its own on the PostgreSQL server a run was given, for runs whose server processes all open one
// database (test/chaos, test/topology): created empty (the first server process migrates it), dropped afterwards.

export interface ScratchDatabase {
  name: string;
  url: string;
  /** A small pool of the test's own, to count what was stored. */
  sql: postgres.Sql;
  /** Ends the pool and drops the database, forcing out connections left behind. */
  drop(): Promise<void>;
}

export async function scratchDatabase(serverUrl: string, namePrefix: string): Promise<ScratchDatabase> {
  const name = `${namePrefix}_${randomBytes(5).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  return {
    name,
    url: url.toString(),
    sql,
    drop: async () => {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
      await admin.end({ timeout: 5 });
    },
  };
}
