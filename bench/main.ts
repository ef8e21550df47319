import { loadConfig } from '../src/config.ts';
import { bullmqAdd, drizzleInserts, honoEcho } from './baselines.ts';
import { sendMessageLoad, startServer, type Server } from './product.ts';
import { bullmqLatency } from './queue-latency.ts';
import { replyLatency } from './reply-latency.ts';
import { machine, type Row, table, writeJson } from './report.ts';

// `npm run bench`: one run, on this machine, of the product next to its baselines (ratios matter, not absolutes).
// The real server runs in a child process; autocannon and the baseline loops run in this one.
// Throughput (a–d) and latency (e–f) each get a fresh server: the latency one runs with TURN_BURST_MS=0, which
// would otherwise change the throughput figures (a turn per message instead of one per burst).

const CONNECTIONS = 50;
const IN_FLIGHT = 50;
const SESSIONS = 20;
const SECONDS = { echo: 8, queue: 4, inserts: 4, send: 10, queueLatency: 5, replyLatency: 8 };
const RATE = { queueLatency: 500, replyLatency: 20 };
/** The no-op worker's concurrency: the server's default WORKER_CONCURRENCY. */
const QUEUE_CONCURRENCY = 16;
/** What production waits for a burst to settle: the configured (or default) TURN_BURST_MS. */
const BURST_MS = loadConfig({ TURN_BURST_MS: process.env.TURN_BURST_MS, SWITCHBOARD_SECRET: 'x'.repeat(32) }).workers.burstMs;

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

async function withServer<T>(databaseUrl: string | undefined, env: Record<string, string>, fn: (s: Server) => Promise<T>): Promise<T> {
  log(`starting the real server (src/main.ts) with its managed redis-server${Object.keys(env).length ? ` and ${new URLSearchParams(env)}` : ''}…`);
  const server = await startServer(databaseUrl, env);
  try {
    log(`server ready at ${server.url}, redis ${server.redisUrl}`);
    return await fn(server);
  } finally {
    await server.stop();
  }
}

async function main() {
  const started = Date.now();
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const info = machine();
  log(`${info.cores} cores (${info.cpu}), load ${info.loadAvg1m}, node ${info.node}, database ${databaseUrl ? 'postgres' : 'pglite'}`);

  const { echo, queue, inserts, send } = await withServer(databaseUrl, {}, async (server) => {
    log(`(a) bare Hono POST echo, 1 KB JSON, -c ${CONNECTIONS}, ${SECONDS.echo} s…`);
    const echo = await honoEcho(CONNECTIONS, SECONDS.echo);
    log(`(b) raw BullMQ add, ${IN_FLIGHT} in flight, ${SECONDS.queue} s…`);
    const queue = await bullmqAdd(server.redisUrl, IN_FLIGHT, SECONDS.queue);
    log(`(c) raw drizzle single-row inserts, ${IN_FLIGHT} in flight, ${SECONDS.inserts} s…`);
    const inserts = await drizzleInserts(databaseUrl, IN_FLIGHT, SECONDS.inserts);
    log(`(d) POST /chat/sessions/{id}/send over ${SESSIONS} sessions, -c ${CONNECTIONS}, ${SECONDS.send} s…`);
    const send = await sendMessageLoad(server, SESSIONS, CONNECTIONS, SECONDS.send);
    return { echo, queue, inserts, send };
  });
  const { queueLat, reply } = await withServer(databaseUrl, { TURN_BURST_MS: '0' }, async (server) => {
    log(`(e) raw BullMQ add→completed, ${RATE.queueLatency} jobs/s for ${SECONDS.queueLatency} s, no-op worker (concurrency ${QUEUE_CONCURRENCY})…`);
    const queueLat = await bullmqLatency(server.redisUrl, RATE.queueLatency, SECONDS.queueLatency, QUEUE_CONCURRENCY);
    log(`(f) message accepted → AI reply handed to dispatch, ${RATE.replyLatency} msg/s for ${SECONDS.replyLatency} s, a session each…`);
    const reply = await replyLatency(server, RATE.replyLatency, SECONDS.replyLatency);
    return { queueLat, reply };
  });

  const lost = Math.max(0, send.acked - send.stored);
  const durable = lost === 0 && send.turnJobs >= send.stored;
  const repliesOk = reply.missing === 0 && reply.non2xx === 0 && reply.fromKnowledge === reply.replies;
  const rows: Row[] = [
    { name: 'bare Hono POST echo (1 KB JSON)', rate: echo.rps, unit: 'req/s', p50: echo.p50, p99: echo.p99, note: `-c ${CONNECTIONS}, non-2xx ${echo.non2xx}` },
    { name: 'raw BullMQ add', rate: queue.opsPerSec, unit: 'jobs/s', p50: queue.p50, p99: queue.p99, note: `${IN_FLIGHT} in flight, errors ${queue.errors}` },
    { name: `raw drizzle single-row insert (${inserts.kind})`, rate: inserts.opsPerSec, unit: 'rows/s', p50: inserts.p50, p99: inserts.p99, note: `${IN_FLIGHT} in flight, errors ${inserts.errors}` },
    { name: 'send message (real server)', rate: send.rps, unit: 'req/s', p50: send.p50, p99: send.p99, note: `-c ${CONNECTIONS}, ${SESSIONS} sessions, non-2xx ${send.non2xx}, errors ${send.errors}` },
    { name: 'raw BullMQ add→completed', rate: queueLat.rate, unit: 'jobs/s', p50: queueLat.p50, p99: queueLat.p99, note: `steady rate, no-op worker ×${QUEUE_CONCURRENCY}, ${queueLat.count} jobs, missing ${queueLat.missing}` },
    { name: 'accepted message → AI reply to dispatch', rate: reply.rate, unit: 'msg/s', p50: reply.p50, p99: reply.p99, note: `steady rate, TURN_BURST_MS=0, ${reply.replies}/${reply.accepted} replies, missing ${reply.missing}` },
  ];
  const ratios: Array<[string, number]> = [
    ['send-message / bare Hono (req/s)', send.rps / echo.rps],
    ['send-message / raw inserts', send.rps / inserts.opsPerSec],
    ['AI reply latency p50 / BullMQ add→completed p50', reply.p50 / queueLat.p50],
  ];
  const ms = (n: number) => n.toFixed(1);
  const footer = [
    `durability: ${send.acked} acknowledged (2xx, warm-up + run), ${send.stored} contact messages in history, ${send.turnJobs} turn jobs; ` +
      `lost ${lost}${send.stored > send.acked ? `, ${send.stored - send.acked} stored but cut off before their response` : ''} → ${durable ? 'OK' : 'FAILED'}`,
    `status codes: ${JSON.stringify(send.statusCodes)}`,
    `AI reply latency: ${reply.sent} questions, each in its own session, answered from a knowledge article; from the send's 2xx (this process's clock) ` +
      `to the dispatch job's 'added' entry in Redis (Redis's clock, same machine), max ${ms(reply.max)} ms; ` +
      `to the reply row's created_at: p50 ${ms(reply.rowP50)} / p99 ${ms(reply.rowP99)} ms; the send itself p50 ${ms(reply.sendP50)} / p99 ${ms(reply.sendP99)} ms; ` +
      `${reply.fromKnowledge} replies quote the article, non-2xx ${reply.non2xx}, handoffs ${reply.handoffs}, missing replies ${reply.missing} → ${repliesOk ? 'OK' : 'FAILED'}`,
    `turn burst window: 0 ms in this run so the figure is the machinery; production waits TURN_BURST_MS = ${BURST_MS} ms (configured) on top, on purpose`,
    `machine: ${info.cores} cores, ${info.cpu}, node ${info.node}, load average at start ${info.loadAvg1m}; total ${((Date.now() - started) / 1000).toFixed(1)} s`,
  ];
  process.stdout.write(`\n${table(rows, ratios, footer)}\n`);
  const file = writeJson('artifacts/bench.json', {
    at: new Date().toISOString(),
    machine: info,
    database: inserts.kind,
    settings: { connections: CONNECTIONS, inFlight: IN_FLIGHT, sessions: SESSIONS, seconds: SECONDS, rates: RATE, queueConcurrency: QUEUE_CONCURRENCY, turnBurstMs: { run: 0, configured: BURST_MS } },
    results: { honoEcho: echo, bullmqAdd: queue, drizzleInserts: inserts, sendMessage: send, bullmqAddToCompleted: queueLat, aiReplyToDispatch: reply },
    ratios: Object.fromEntries(ratios),
    durability: { acked: send.acked, stored: send.stored, turnJobs: send.turnJobs, lost, ok: durable },
    replies: { accepted: reply.accepted, replies: reply.replies, fromKnowledge: reply.fromKnowledge, missing: reply.missing, handoffs: reply.handoffs, non2xx: reply.non2xx, ok: repliesOk },
    durationSeconds: (Date.now() - started) / 1000,
  });
  log(`wrote ${file}`);
  if (!durable || !repliesOk) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
