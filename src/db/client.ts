import { join } from 'node:path';
import { sql, type ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { createPglite, MIGRATIONS_DIR, PGLITE_SEED, pgliteExists, type PgliteOpenOptions } from './pglite-open.ts';
import { PgliteThreadClient } from './pglite-thread.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The query API shared by PGlite and postgres.js; code never knows which one it has. */
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * PGlite in its thread only: runs the function `fn` exported by `module` (a URL) in that thread, as
   * `fn(db, ...args)`, its statements free of round trips to the server's event loop (src/db/pglite-thread.ts).
   */
  near?<T>(module: string, fn: string, args: unknown[], opts?: { urgent?: boolean }): Promise<T>;
  /** PGlite only: a gzipped tarball of the data dir, loadable with `pgliteLoad` (fast fresh databases in tests). */
  dump?(): Promise<Blob | File>;
}

export { MIGRATIONS_DIR, PGLITE_SEED, pgliteExists };

export interface DatabaseOptions {
  /** postgres:// URL; without it, embedded PGlite. */
  url?: string | undefined;
  /** PGlite data folder; `memory://` for a throwaway one. */
  pgliteDir?: string;
  /** A dumped, already-migrated PGlite data dir to start from (fast fresh databases in tests). */
  pgliteLoad?: Blob | File;
  /** PGlite's shared_buffers (e.g. `32MB`); PostgreSQL's default otherwise. */
  pgliteSharedBuffers?: string;
  /** PGlite in a thread of its own (src/db/pglite-thread.ts), so that HTTP is served while it works. */
  pgliteThread?: boolean;
  poolSize?: number;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url, opts.poolSize ?? 10);
  const pglite = { dir: opts.pgliteDir ?? 'memory://', load: opts.pgliteLoad, sharedBuffers: opts.pgliteSharedBuffers };
  return opts.pgliteThread ? openPgliteThread(pglite) : openPglite(pglite);
}

/** The default data folder of the embedded database. */
export const pgliteDirFor = (dataDir: string) => join(dataDir, 'pglite');

async function openPglite(opts: PgliteOpenOptions): Promise<Database> {
  const client = await createPglite(opts);
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    migrate: () => migratePglite(db as never, { migrationsFolder: MIGRATIONS_DIR }),
    ping: async () => void (await client.query('select 1')),
    close: () => client.close(),
    dump: () => client.dumpDataDir('gzip'),
  };
}

/** The same database in its own thread: drizzle's PGlite driver over the thread's client (src/db/pglite-thread.ts). */
async function openPgliteThread(opts: PgliteOpenOptions): Promise<Database> {
  const load = opts.load ? await opts.load.arrayBuffer() : undefined;
  const client = await PgliteThreadClient.start({ dir: opts.dir, load, sharedBuffers: opts.sharedBuffers });
  const db = drizzlePglite({ client: client as never, schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    migrate: () => client.migrate(MIGRATIONS_DIR),
    near: (module, fn, args, opts) => client.near(module, fn, args, opts),
    ping: async () => void (await client.query('select 1')),
    close: () => client.close(),
    dump: () => client.dump(),
  };
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const client = postgres(url, { max, onnotice: () => {}, connect_timeout: 5 });
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    // Several processes may start at once against one server: serialize migrations with an advisory lock.
    migrate: async () => {
      const lockConn = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await lockConn`select pg_advisory_lock(727274)`;
        await migratePostgres(drizzlePostgres({ client: lockConn }), { migrationsFolder: MIGRATIONS_DIR });
      } finally {
        await lockConn`select pg_advisory_unlock(727274)`.catch(() => {});
        await lockConn.end({ timeout: 5 });
      }
    },
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => client.end({ timeout: 5 }),
  };
}
