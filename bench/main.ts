import { bullmqAdd, drizzleInserts, honoEcho } from './baselines.ts';
import { sendMessageLoad, startServer } from './product.ts';
import { machine, type Row, table, writeJson } from './report.ts';

// `npm run bench`: one run, on this machine, of the product next to its baselines (ratios matter, not absolutes).
// The real server runs in a child process; autocannon and the baseline loops run in this one.

const CONNECTIONS = 50;
const IN_FLIGHT = 50;
const SESSIONS = 20;
const SECONDS = { echo: 8, queue: 4, inserts: 4, send: 10 };

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

async function main() {
  const started = Date.now();
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const info = machine();
  log(`${info.cores} cores (${info.cpu}), load ${info.loadAvg1m}, node ${info.node}, database ${databaseUrl ? 'postgres' : 'pglite'}`);

  log('starting the real server (src/main.ts) with its managed redis-server…');
  const server = await startServer(databaseUrl);
  try {
    log(`server ready at ${server.url}, redis ${server.redisUrl}`);
    log(`(a) bare Hono POST echo, 1 KB JSON, -c ${CONNECTIONS}, ${SECONDS.echo} s…`);
    const echo = await honoEcho(CONNECTIONS, SECONDS.echo);
    log(`(b) raw BullMQ add, ${IN_FLIGHT} in flight, ${SECONDS.queue} s…`);
    const queue = await bullmqAdd(server.redisUrl, IN_FLIGHT, SECONDS.queue);
    log(`(c) raw drizzle single-row inserts, ${IN_FLIGHT} in flight, ${SECONDS.inserts} s…`);
    const inserts = await drizzleInserts(databaseUrl, IN_FLIGHT, SECONDS.inserts);
    log(`(d) POST /chat/sessions/{id}/send over ${SESSIONS} sessions, -c ${CONNECTIONS}, ${SECONDS.send} s…`);
    const send = await sendMessageLoad(server, SESSIONS, CONNECTIONS, SECONDS.send);

    const lost = Math.max(0, send.acked - send.stored);
    const durable = lost === 0 && send.turnJobs >= send.stored;
    const rows: Row[] = [
      { name: 'bare Hono POST echo (1 KB JSON)', rate: echo.rps, unit: 'req/s', p50: echo.p50, p99: echo.p99, note: `-c ${CONNECTIONS}, non-2xx ${echo.non2xx}` },
      { name: 'raw BullMQ add', rate: queue.opsPerSec, unit: 'jobs/s', p50: queue.p50, p99: queue.p99, note: `${IN_FLIGHT} in flight, errors ${queue.errors}` },
      { name: `raw drizzle single-row insert (${inserts.kind})`, rate: inserts.opsPerSec, unit: 'rows/s', p50: inserts.p50, p99: inserts.p99, note: `${IN_FLIGHT} in flight, errors ${inserts.errors}` },
      { name: 'send message (real server)', rate: send.rps, unit: 'req/s', p50: send.p50, p99: send.p99, note: `-c ${CONNECTIONS}, ${SESSIONS} sessions, non-2xx ${send.non2xx}, errors ${send.errors}` },
    ];
    const ratios: Array<[string, number]> = [
      ['send-message / bare Hono (req/s)', send.rps / echo.rps],
      ['send-message / raw inserts', send.rps / inserts.opsPerSec],
    ];
    const footer = [
      `durability: ${send.acked} acknowledged (2xx, warm-up + run), ${send.stored} contact messages in history, ${send.turnJobs} turn jobs; ` +
        `lost ${lost}${send.stored > send.acked ? `, ${send.stored - send.acked} stored but cut off before their response` : ''} → ${durable ? 'OK' : 'FAILED'}`,
      `status codes: ${JSON.stringify(send.statusCodes)}`,
      `machine: ${info.cores} cores, ${info.cpu}, node ${info.node}, load average at start ${info.loadAvg1m}; total ${((Date.now() - started) / 1000).toFixed(1)} s`,
    ];
    process.stdout.write(`\n${table(rows, ratios, footer)}\n`);
    const file = writeJson('artifacts/bench.json', {
      at: new Date().toISOString(),
      machine: info,
      database: inserts.kind,
      settings: { connections: CONNECTIONS, inFlight: IN_FLIGHT, sessions: SESSIONS, seconds: SECONDS },
      results: { honoEcho: echo, bullmqAdd: queue, drizzleInserts: inserts, sendMessage: send },
      ratios: Object.fromEntries(ratios),
      durability: { acked: send.acked, stored: send.stored, turnJobs: send.turnJobs, lost, ok: durable },
      durationSeconds: (Date.now() - started) / 1000,
    });
    log(`wrote ${file}`);
    if (!durable) process.exitCode = 1;
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
