import { type Config, ConfigError, loadConfig } from '../config.ts';
import { type Database, openDatabase, pgliteDirFor } from '../db/client.ts';
import { channelRegistry } from '../../channels/registry.ts';
import type { ChannelRegistry } from '../domain/channels/registry.ts';
import { CliError } from './args.ts';

export interface CliDatabase {
  config: Config;
  database: Database;
  /** The installation's channels (channels/registry.ts): the CLI, like src/deps.ts, is where they are wired in. */
  channels: ChannelRegistry;
}

/**
 * Opens and migrates the configured database exactly as src/main.ts does (DATABASE_URL, else PGlite in DATA_DIR).
 * PGlite is single-process: if a Switchboard server answers on HOST:PORT, the embedded database is its, and
 * opening it here could corrupt it, so we refuse.
 */
export async function openConfiguredDatabase(): Promise<CliDatabase> {
  const config = loadCliConfig();
  if (!config.databaseUrl) await refuseIfServerRuns(config);
  const database = await openDatabase(
    config.databaseUrl ? { url: config.databaseUrl, poolSize: 2 } : { pgliteDir: pgliteDirFor(config.dataDir) },
  ).catch((err: unknown) => {
    throw new CliError(`cannot open the database: ${(err as Error).message}`);
  });
  try {
    await database.migrate();
  } catch (err) {
    await database.close().catch(() => {});
    throw new CliError(`cannot migrate the database: ${(err as Error).message}`);
  }
  return { config, database, channels: channelRegistry };
}

/** The server's configuration, from the same environment; an invalid one is a CliError (one line, exit 1). */
export function loadCliConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
}

/** Throws a CliError when a Switchboard server answers on HOST:PORT: the embedded database is then its own. */
export async function refuseIfServerRuns(config: Config): Promise<void> {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}/healthz`;
  const body = await fetch(url, { signal: AbortSignal.timeout(700) })
    .then((res) => (res.ok ? res.json() : null))
    .catch(() => null);
  if ((body as { status?: unknown } | null)?.status !== 'ok') return;
  throw new CliError(
    `a Switchboard server is running on ${url.replace('/healthz', '')} and holds the embedded database ` +
      `(${pgliteDirFor(config.dataDir)}); PGlite is single-process. Stop the server first, or use the API ` +
      '(POST /api-keys with an admin key), or run both on PostgreSQL with DATABASE_URL.',
  );
}
