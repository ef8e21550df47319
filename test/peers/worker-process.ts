import type { Responder } from '../../src/ai/responder.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { closeDeps, createDeps } from '../../src/deps.ts';
import { createLogger } from '../../src/logger.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { startWorkers } from '../../workers/main.ts';

// One worker process for test/integration/turn-order-processes.test.ts, run as
//   node --import tsx test/peers/worker-process.ts
// with DATABASE_URL (an already migrated database), REDIS_URL, QUEUE_PREFIX, TURN_BURST_MS, WORKER_CONCURRENCY and
// SWITCHBOARD_SECRET of the test's app. It runs the real workers with a slow responder that records, in Redis (the
// only thing the processes share besides the database), whether two turns of one session ever ran at once:
//   <prefix>:active:<sessionId>  turns of that session running right now, across all processes
//   <prefix>:overlap             set (to "<sessionId> <count>") when a turn started while another was running
//   <prefix>:turns               hash: process id → turns answered
// Prints "ready" on stdout once started; on SIGTERM it lets running jobs finish, closes everything and exits.

const config = loadConfig(process.env);
if (!config.databaseUrl || !config.redisUrl) throw new Error('worker-process needs DATABASE_URL and REDIS_URL');
const prefix = config.queuePrefix;
const logger = createLogger(config.logLevel, `worker-${process.pid}`);
const database = await openDatabase({ url: config.databaseUrl, poolSize: 5 });
const deps = createDeps(config, logger, database, config.redisUrl);
const probe = createRedis(config.redisUrl, 'worker');
probe.on('error', (err) => logger.debug({ err: err.message }, 'probe redis error'));

const observe = (inner: Responder): Responder => ({
  summarize: (input, signal) => inner.summarize(input, signal),
  async respond(input) {
    const active = `${prefix}:active:${input.session.id}`;
    const running = await probe.incr(active);
    try {
      if (running > 1) await probe.set(`${prefix}:overlap`, `${input.session.id} ${running}`);
      await new Promise((r) => setTimeout(r, 150));
    } finally {
      await probe.decr(active);
    }
    await probe.hincrby(`${prefix}:turns`, String(process.pid), 1);
    return { type: 'reply', text: `answer to: ${input.pending.map((p) => p.text).join(' | ')}`, confidence: 1, sources: [] };
  },
});

const workers = startWorkers(deps, { wrapResponder: observe, sweepIntervalMs: 500 });

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await workers.close();
    await closeDeps(deps);
    await probe.quit().catch(() => {});
    await database.close();
    // Nothing left open: the process ends by itself. If something still holds it, the test sees no exit.
  })().catch((err: unknown) => {
    process.stderr.write(`worker-process: shutdown failed: ${String(err)}\n`);
    process.exit(1);
  });
});

// The producer connection fails fast rather than queue commands: wait until it is up, as src/main.ts does.
while (!(await deps.redis.ping().then(() => true, () => false))) await new Promise((r) => setTimeout(r, 50));
await Promise.all([probe.ping(), database.ping()]);
process.stdout.write('ready\n');
