import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql, type ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { restrictTreeToOwner } from '../data-dir.ts';
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
  /** PGlite only: a gzipped tarball of the data dir, loadable with `pgliteLoad` (fast fresh databases in tests). */
  dump?(): Promise<Blob | File>;
}

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');
/**
 * A migrated, empty PGlite data dir that `npm run build` dumps beside the compiled code (dist/pglite-seed.tar.gz):
 * a fresh DATA_DIR starts from it instead of initdb plus every migration (about 0.6 s instead of 2–3 s). Absent when
 * running from the sources; then a new database is created as usual.
 */
export const PGLITE_SEED = resolve(dirname(fileURLToPath(import.meta.url)), '../../pglite-seed.tar.gz');

/** Whether a PGlite data folder holds a database yet (PostgreSQL writes PG_VERSION at initdb). */
export const pgliteExists = (dir: string) => existsSync(join(dir, 'PG_VERSION'));

export interface DatabaseOptions {
  /** postgres:// URL; without it, embedded PGlite. */
  url?: string | undefined;
  /** PGlite data folder; `memory://` for a throwaway one. */
  pgliteDir?: string;
  /** A dumped, already-migrated PGlite data dir to start from (fast fresh databases in tests). */
  pgliteLoad?: Blob | File;
  /** PGlite's shared_buffers (e.g. `32MB`); PostgreSQL's default otherwise. */
  pgliteSharedBuffers?: string;
  poolSize?: number;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url, opts.poolSize ?? 10);
  return openPglite(opts.pgliteDir ?? 'memory://', opts.pgliteLoad, opts.pgliteSharedBuffers);
}

/** The default data folder of the embedded database. */
export const pgliteDirFor = (dataDir: string) => join(dataDir, 'pglite');

async function openPglite(dir: string, loadDataDir?: Blob | File, sharedBuffers?: string): Promise<Database> {
  const onDisk = !dir.startsWith('memory://');
  if (onDisk) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const seed = !loadDataDir && onDisk && !pgliteExists(dir) && existsSync(PGLITE_SEED) ? new Blob([readFileSync(PGLITE_SEED)]) : undefined;
  const load = loadDataDir ?? seed;
  const client = await PGlite.create(dir, {
    ...(load ? { loadDataDir: load } : {}),
    ...(sharedBuffers ? { postgresqlconf: [`shared_buffers = ${sharedBuffers}`] } : {}),
  });
  // PGlite chmods the files of a new data dir to 0666 whatever the umask: owner-only again (src/data-dir.ts).
  if (onDisk) restrictTreeToOwner(dir);
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
