import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createFilesOwnerOnly, prepareDataDir } from './data-dir.ts';
import { openDatabase, PGLITE_SEED, pgliteDirFor, pgliteExists } from './db/client.ts';
import { closeDeps, createDeps, type Deps } from './deps.ts';
import { ensureFirstOrganization } from './domain/organization/organizations.ts';
import { createLogger, type Logger } from './logger.ts';
import { startManagedRedis } from './redis/managed-redis.ts';
import { startChannelIngress } from './roles/channel-ingress.ts';
import { ROLE_PARTS } from './roles/role.ts';

// Entry point: config → database (migrated) → Redis (managed when REDIS_URL is unset) → what ROLE runs → listen.
// ROLE=all runs everything; api the HTTP side (API, webhooks, sockets, console, SMTP); worker the queue workers and
// the elected periodic work, with only /healthz and /readyz on PORT (src/roles/role.ts).
// SIGTERM/SIGINT: stop accepting, finish in-flight requests and jobs, close Redis and the database.

async function main(config: Config, logger: Logger) {
  const parts = ROLE_PARTS[config.role];
  const opening = Date.now();
  const pgliteDir = pgliteDirFor(config.dataDir);
  if (!config.databaseUrl && !pgliteExists(pgliteDir)) {
    logger.info({ dir: pgliteDir, seeded: existsSync(PGLITE_SEED) }, 'first start: creating the embedded database');
  }
  // The managed redis-server and the database (the embedded one in its thread) start side by side: neither needs
  // the other, and together they are most of the start-up time. Whichever opened is closed if the other fails.
  const redisStart = config.redisUrl ? Promise.resolve(undefined) : startManagedRedis({ dataDir: config.dataDir, logger });
  const databaseOpen = openDatabase(
    config.databaseUrl
      ? { url: config.databaseUrl, poolSize: config.databasePoolSize }
      : { pgliteDir, pgliteSharedBuffers: config.pgliteSharedBuffers, pgliteThread: config.pgliteThread },
  ).then(async (database) => {
    await database.migrate();
    return database;
  });
  const [redisResult, databaseResult] = await Promise.allSettled([redisStart, databaseOpen]);
  if (redisResult.status === 'rejected' || databaseResult.status === 'rejected') {
    if (redisResult.status === 'fulfilled') await redisResult.value?.stop();
    if (databaseResult.status === 'fulfilled') await databaseResult.value.close();
    throw redisResult.status === 'rejected' ? redisResult.reason : (databaseResult as PromiseRejectedResult).reason;
  }
  const managedRedis = redisResult.value;
  const database = databaseResult.value;
  logger.info({ database: database.kind, ms: Date.now() - opening }, 'database open and migrated');
  const deps = createDeps(config, logger, database, config.redisUrl ?? managedRedis!.url);
  // The API side creates the first organization (and shows its key); a worker only works on what exists.
  const first = parts.api ? await ensureFirstOrganization(deps, config.bootstrapKey) : null;
  if (first) {
    logger.info({ orgId: first.id }, 'created the first organization');
    // Shown once, on the terminal only (not in the JSON log): it is stored hashed and cannot be shown again.
    if (first.generatedKey) process.stderr.write(firstKeyBanner(first.adminKey));
  }

  await waitForRedis(deps, logger);
  // The queue workers, relays and sweepers; the once-per-cluster parts are elected among the processes running them.
  // Each side's code is loaded only by the processes that run it: a ROLE=api process never loads the workers (the
  // AI, summaries, dispatch), a ROLE=worker one never the HTTP API (tens of MB each, bench/startup.ts).
  const background = parts.background ? (await import('./roles/background.ts')).startBackground(deps) : undefined;
  const app = parts.api ? (await import('./http/app.ts')).createApp(deps) : (await import('./http/probe-app.ts')).createProbeApp(deps);
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) =>
    logger.info(
      { url: `http://${config.host}:${info.port}`, role: config.role, database: database.kind, redis: managedRedis ? 'managed' : 'external' },
      'Switchboard is listening',
    ),
  );

  // The channels' own listeners (SMTP; web chat sockets share the HTTP server): API processes only.
  const ingress = parts.api ? await startChannelIngress(deps, server as Server) : undefined;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.lifecycle.draining = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    // Sockets close first (the widget reconnects, to another process if there is one), then HTTP drains.
    await ingress?.stop();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    });
    await background?.close();
    await closeDeps(deps);
    await database.close();
    await managedRedis?.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  if (config.exitWithParent) watchParent(() => void shutdown('parent exited'));
}

/**
 * `npm start` runs us under npm, which forwards SIGTERM and SIGINT but cannot forward its own SIGKILL: when it dies
 * we are re-parented (to init or a subreaper), and then we shut down as if signalled, taking the managed Redis.
 */
function watchParent(onOrphaned: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, 500);
  timer.unref();
}

/** Start serving once Redis answers, so readiness is true from the first probe; warn while it does not. */
async function waitForRedis(deps: Deps, logger: Logger): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.redis.ping();
      return;
    } catch (err) {
      if (attempt % 20 === 5) logger.warn({ err: (err as Error).message, url: withoutPassword(deps.redisUrl) }, 'waiting for Redis');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** A URL fit for the log: its password (the managed Redis's, or REDIS_URL's) masked. */
function withoutPassword(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

function firstKeyBanner(key: string): string {
  return [
    '',
    '  Switchboard created your organization. Its admin API key (shown only this once):',
    '',
    `      ${key}`,
    '',
    '  Use it as: Authorization: Bearer <key>. Set SWITCHBOARD_BOOTSTRAP_KEY to choose it yourself.',
    '',
    '',
  ].join('\n');
}

// Before anything is created (loadConfig may write DATA_DIR/secret.key): files and folders are owner-only.
createFilesOwnerOnly();
let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`switchboard: ${err.message}\n`);
  process.exit(1);
}
const logger = createLogger(config.logLevel);
prepareDataDir(config.dataDir, logger);
main(config, logger).catch((err: unknown) => {
  logger.fatal({ err }, 'start-up failed');
  process.exit(1);
});
