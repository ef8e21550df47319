import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import { openDatabase, pgliteDirFor } from '../db/client.ts';
import { organizations as orgs } from '../db/schema/index.ts';
import { CliError, parseOptions, required } from './args.ts';
import { loadCliConfig, refuseIfServerRuns } from './database.ts';

// `backup --out FILE` and `restore --in FILE [--force]` for the embedded database (PGlite in DATA_DIR/pglite): a
// gzipped tarball of its data folder, PGlite's own format (dumpDataDir / loadDataDir). Both need the server
// stopped (PGlite is single-process). With DATABASE_URL they say which PostgreSQL tool does it instead.

const MASTER_KEY_NOTE =
  'The database holds channel credentials sealed with the master key (SWITCHBOARD_SECRET, or DATA_DIR/secret.key):\n' +
  'keep that key with the backup; a restored database needs the same one. Attachment files are in DATA_DIR/blobs.\n';

const quote = (s: string) => (/^[\w./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
/** PGlite's data folder, once initialized, has PG_VERSION at its top (as every PostgreSQL data directory). */
const holdsDatabase = (dir: string) => existsSync(join(dir, 'PG_VERSION'));
const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The embedded database's configuration, or a CliError that names the PostgreSQL tool to use instead. */
async function embedded(config: Config, postgresCommand: string): Promise<string> {
  if (config.databaseUrl) {
    throw new CliError(
      `the database is PostgreSQL (DATABASE_URL), not the embedded one: use PostgreSQL's own tools, e.g.\n  ${postgresCommand}`,
    );
  }
  await refuseIfServerRuns(config);
  return pgliteDirFor(config.dataDir);
}

/** `backup --out FILE`: the embedded database into FILE (owner-only; written whole, then renamed into place). */
export async function backup(args: string[]): Promise<void> {
  const opts = parseOptions('backup', args, { out: { type: 'string' } });
  const out = resolve(required('backup', 'out', opts.out));
  const dir = await embedded(loadCliConfig(), `pg_dump --format=custom --file=${quote(out)} "$DATABASE_URL"`);
  if (!holdsDatabase(dir)) throw new CliError(`there is no embedded database in ${dir} to back up (is DATA_DIR right?)`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new CliError(`--out ${out} is a folder: name a file`);

  const database = await openDatabase({ pgliteDir: dir }).catch((err: unknown) => {
    throw new CliError(`cannot open the embedded database in ${dir}: ${(err as Error).message}`);
  });
  let tarball: Blob;
  try {
    tarball = await database.dump!();
  } finally {
    await database.close();
  }
  const partial = `${out}.partial-${process.pid}`;
  try {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(partial, new Uint8Array(await tarball.arrayBuffer()), { mode: 0o600 });
    renameSync(partial, out);
  } catch (err) {
    rmSync(partial, { force: true });
    throw new CliError(`cannot write ${out}: ${(err as Error).message}`);
  }
  process.stdout.write(`Backed up the embedded database (${dir}) to ${out} (${megabytes(tarball.size)}).\n`);
  process.stderr.write(MASTER_KEY_NOTE);
}

/**
 * `restore --in FILE [--force]`: FILE becomes the embedded database. It is loaded into a folder beside the target
 * and checked first, so a bad file changes nothing; with --force an existing database is moved aside, not deleted.
 */
export async function restore(args: string[]): Promise<void> {
  const opts = parseOptions('restore', args, { in: { type: 'string' }, force: { type: 'boolean' } });
  const file = resolve(required('restore', 'in', opts.in));
  const dir = await embedded(
    loadCliConfig(),
    `pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" ${quote(file)}   (with the servers stopped)`,
  );
  if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(`--in ${file}: no such file`);
  const bytes = readFileSync(file);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new CliError(`${file} is not a backup made by \`switchboard backup\` (not gzip)`);
  const occupied = existsSync(dir) && readdirSync(dir).length > 0;
  if (occupied && !opts.force) {
    throw new CliError(
      `${dir} already holds ${holdsDatabase(dir) ? 'a database' : 'files'}: restoring would replace it. ` +
        'Pass --force to restore anyway (what is there now is kept aside, not deleted).',
    );
  }

  const staging = `${dir}.restoring-${stamp()}`;
  let organizations: number;
  try {
    const database = await openDatabase({ pgliteDir: staging, pgliteLoad: new Blob([new Uint8Array(bytes)]) });
    try {
      const [row] = await database.db.select({ count: sql<number>`count(*)::int` }).from(orgs);
      organizations = row?.count ?? 0;
    } finally {
      await database.close();
    }
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw new CliError(`${file} is not a backup made by \`switchboard backup\`: ${(err as Error).message}`);
  }

  let keptAside: string | undefined;
  if (occupied) {
    keptAside = `${dir}.replaced-${stamp()}`;
    renameSync(dir, keptAside);
  } else {
    rmSync(dir, { recursive: true, force: true }); // an empty folder, if any: the rename needs the name free
  }
  renameSync(staging, dir);
  process.stdout.write(`Restored ${file} into ${dir} (${organizations} organization${organizations === 1 ? '' : 's'}).\n`);
  if (keptAside) process.stdout.write(`The database that was there is kept in ${keptAside}: delete it once you are sure.\n`);
  process.stderr.write(MASTER_KEY_NOTE);
}
