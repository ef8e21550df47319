import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { restrictTreeToOwner } from '../data-dir.ts';

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');
/**
 * A migrated, empty PGlite data dir that `npm run build` dumps beside the compiled code (dist/pglite-seed.tar.gz):
 * a fresh DATA_DIR starts from it instead of initdb plus every migration (about 0.6 s instead of 2–3 s). Absent when
 * running from the sources; then a new database is created as usual.
 */
export const PGLITE_SEED = resolve(dirname(fileURLToPath(import.meta.url)), '../../pglite-seed.tar.gz');

/** Whether a PGlite data folder holds a database yet (PostgreSQL writes PG_VERSION at initdb). */
export const pgliteExists = (dir: string) => existsSync(join(dir, 'PG_VERSION'));

export interface PgliteOpenOptions {
  dir: string;
  load?: Blob | File | undefined;
  sharedBuffers?: string | undefined;
}

/** Creates the PGlite instance, in this thread (src/db/client.ts) or in the database thread (pglite-thread-main.ts). */
export async function createPglite({ dir, load, sharedBuffers }: PgliteOpenOptions): Promise<PGlite> {
  const onDisk = !dir.startsWith('memory://');
  if (onDisk) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const seed = !load && onDisk && !pgliteExists(dir) && existsSync(PGLITE_SEED) ? new Blob([readFileSync(PGLITE_SEED)]) : undefined;
  const loadDataDir = load ?? seed;
  const client = await PGlite.create(dir, {
    ...(loadDataDir ? { loadDataDir } : {}),
    ...(sharedBuffers ? { postgresqlconf: [`shared_buffers = ${sharedBuffers}`] } : {}),
  });
  // PGlite chmods the files of a new data dir to 0666 whatever the umask: owner-only again (src/data-dir.ts).
  if (onDisk) restrictTreeToOwner(dir);
  return client;
}
