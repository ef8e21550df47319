import { rmSync } from 'node:fs';
import { loadConfig } from '../src/config.ts';
import { bullmqAdd, drizzleInserts, honoEcho } from './baselines.ts';
import { withPostgresAndRedis } from './pg-redis.ts';
import { sendMessageLoad, startServer, startSplitServer, type Server } from './product.ts';
import { bullmqLatency } from './queue-latency.ts';
import { replyLatency } from './reply-latency.ts';
import { machine, type Row, table, writeJson } from './report.ts';
import { smsRun } from './sms-run.ts';
import { startupRun } from './startup.ts';
import { pubsubLatency, widgetLoad } from './widget-load.ts';
import { heapSnapshotOptions, type PerConnectionHeap } from './heap-census.ts';
import { bareWsMemory, censusSockets, connectionLimit, type Held, type Memory, type MemorySample, memoryProbeEnv } from './ws-baseline.ts';

// `npm run bench`: one run, on this machine, of the product next to its baselines (ratios matter, not absolutes).
// The real server runs in a child process; autocannon and the baseline loops run in this one.
// Throughput (a–d) and latency (e–f) each get a fresh server: the latency one runs with TURN_BURST_MS=0, which
// would otherwise change the throughput figures (a turn per message instead of one per burst).
// Web chat (g–j) gets a third: thousands of sockets held, and agent replies fanned out to them.
// BENCH_ONLY=widget runs only that third one (for working on it) and writes artifacts/bench-widget.json.
// SMS (k–l) gets a fourth, with a Twilio-protocol peer (bench/sms-run.ts); BENCH_ONLY=sms: artifacts/bench-sms.json.
// Start-up and memory per role, of the built server (bench/startup.ts); BENCH_ONLY=startup: artifacts/bench-startup.json.

const CONNECTIONS = 50;
const IN_FLIGHT = 50;
const SESSIONS = 20;
const SECONDS = { echo: 8, queue: 4, inserts: 4, send: 10, queueLatency: 5, replyLatency: 8 };
const RATE = { queueLatency: 500, replyLatency: 20 };
/** The no-op worker's concurrency: the server's default WORKER_CONCURRENCY. */
const QUEUE_CONCURRENCY = 16;
/** What production waits for a burst to settle: the configured (or default) TURN_BURST_MS. */
const BURST_MS = loadConfig({ TURN_BURST_MS: process.env.TURN_BURST_MS, SWITCHBOARD_SECRET: 'x'.repeat(32) }).workers.burstMs;
/** Web chat: sockets held (BENCH_WIDGET_CONNECTIONS), visitors given agent replies, at this rate for this long. */
const WIDGET = { connections: Number(process.env.BENCH_WIDGET_CONNECTIONS || 2000), sessions: 200, rate: 50, seconds: 6 };
const ONLY = process.env.BENCH_ONLY;

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

async function withServer<T>(
  databaseUrl: string | undefined,
  env: Record<string, string>,
  fn: (s: Server) => Promise<T>,
  cpuProfileDir?: string,
): Promise<T> {
  log(`starting the real server (src/main.ts) with its managed redis-server${Object.keys(env).length ? ` and ${new URLSearchParams(env)}` : ''}…`);
  const server = await startServer(databaseUrl, env, cpuProfileDir);
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

  const core = ONLY ? undefined : await coreRuns(databaseUrl);
  const web = ONLY && ONLY !== 'widget' ? undefined : await widgetRun(databaseUrl);
  const results = core?.json.head.results;
  const sms = ONLY && ONLY !== 'sms' ? undefined : await smsRun(databaseUrl, {
    withServer: (env, fn, profileDir) => withServer(databaseUrl, env, fn, profileDir),
    log,
    burstMs: BURST_MS,
    baselines: results && { echo: results.honoEcho, inserts: results.drizzleInserts, queueLat: results.bullmqAddToCompleted },
  });

  const startup = ONLY && ONLY !== 'startup' ? undefined : await startupRun();
  // Only on request (BENCH_ONLY=sms-split): the split topology needs a PostgreSQL, started here when there is none.
  const smsSplit = ONLY === 'sms-split' ? await splitSmsRun() : undefined;

  const parts = [core, web, sms, startup, smsSplit];
  const rows = parts.flatMap((p) => p?.rows ?? []);
  const ratios = parts.flatMap((p) => p?.ratios ?? []);
  const footer = [
    ...parts.flatMap((p) => p?.footer ?? []),
    `machine: ${info.cores} cores, ${info.cpu}, node ${info.node}, load average at start ${info.loadAvg1m}; total ${((Date.now() - started) / 1000).toFixed(1)} s`,
  ];
  process.stdout.write(`\n${table(rows, ratios, footer)}\n`);
  const file = writeJson(core ? 'artifacts/bench.json' : `artifacts/bench-${ONLY}.json`, {
    at: new Date().toISOString(),
    machine: info,
    ...core?.json.head,
    ratios: Object.fromEntries(ratios),
    ...core?.json.tail,
    widget: web?.json,
    sms: sms?.json,
    startup: startup?.json,
    smsSplit: smsSplit?.json,
    durationSeconds: (Date.now() - started) / 1000,
  });
  log(`wrote ${file}`);
  if (parts.some((p) => p?.ok === false)) process.exitCode = 1;
}

/** (k–l) with ROLE=api and ROLE=worker in two processes on one PostgreSQL and one Redis (README, "Scaling out"). */
function splitSmsRun() {
  return withPostgresAndRedis((pgUrl, redisUrl) =>
    smsRun(pgUrl, {
      withServer: async (env, fn, profileDir) => {
        log(`starting ROLE=api and ROLE=worker (src/main.ts) on ${pgUrl.replace(/:[^:@/]*@/, ':***@')} and ${redisUrl}…`);
        const server = await startSplitServer(pgUrl, redisUrl, env, profileDir);
        try {
          return await fn(server);
        } finally {
          await server.stop();
        }
      },
      log,
      burstMs: BURST_MS,
      split: true,
    }),
  );
}

/** (a–f): throughput, then latency, each on its own server. */
async function coreRuns(databaseUrl: string | undefined) {
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
  ];
  const json = {
    head: {
      database: inserts.kind,
      settings: { connections: CONNECTIONS, inFlight: IN_FLIGHT, sessions: SESSIONS, seconds: SECONDS, rates: RATE, queueConcurrency: QUEUE_CONCURRENCY, turnBurstMs: { run: 0, configured: BURST_MS } },
      results: { honoEcho: echo, bullmqAdd: queue, drizzleInserts: inserts, sendMessage: send, bullmqAddToCompleted: queueLat, aiReplyToDispatch: reply },
    },
    tail: {
      durability: { acked: send.acked, stored: send.stored, turnJobs: send.turnJobs, lost, ok: durable },
      replies: { accepted: reply.accepted, replies: reply.replies, fromKnowledge: reply.fromKnowledge, missing: reply.missing, handoffs: reply.handoffs, non2xx: reply.non2xx, ok: repliesOk },
    },
  };
  return { rows, ratios, footer, json, ok: durable && repliesOk };
}

/**
 * (g–j): web chat, on a fresh server with the default settings (agent replies are not turns, so TURN_BURST_MS
 * does not touch them). The bare ws baseline runs first, alone, so nothing else is busy while it is measured.
 */
async function widgetRun(databaseUrl: string | undefined) {
  const { n, capped } = connectionLimit(WIDGET.connections);
  if (capped) log(`web chat: ${capped}`);
  log(`(g) bare ws server holding ${n} idle sockets…`);
  const bare = await bareWsMemory(n);
  // memoryProbeEnv: a full GC on SIGUSR2 before each memory sample, a heap snapshot on SIGUSR1 (bench/ws-baseline.ts);
  // it changes nothing else.
  const snapshots = heapSnapshotOptions();
  const w = await withServer(databaseUrl, memoryProbeEnv(snapshots.nodeOptions), (server) => {
    log(`(h) ${n} widget visitors held by the real gateway; then (i) raw Redis pub/sub and (j) agent replies to ${WIDGET.sessions} of them, ${WIDGET.rate}/s for ${WIDGET.seconds} s…`);
    const opts = { count: n, sessions: WIDGET.sessions, rate: WIDGET.rate, seconds: WIDGET.seconds, snapshotDir: snapshots.dir, log };
    return widgetLoad(server, opts, (topics) => pubsubLatency(server.redisUrl, topics, WIDGET.rate, WIDGET.seconds));
  }).finally(() => rmSync(snapshots.dir, { recursive: true, force: true }));
  const { fanout, pubsub } = w;
  const ok = bare.held === n && w.held === n && w.dropped === 0 && w.sessions === Math.min(WIDGET.sessions, n) &&
    fanout.missing === 0 && fanout.non2xx === 0 && fanout.wrongSocket === 0 && pubsub.missing === 0;
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
  const memory = (h: Held, closed?: MemorySample) => {
    const at = (pick: (m: Memory) => number) => [...h.samples, ...(closed ? [closed] : [])].map((m) => mb(pick(m))).join(' → ');
    const steps = (pick: (m: Memory) => number) => h.perStep.map((m) => `${(pick(m) / 1024).toFixed(1)}${m.disturbed ? '*' : ''}`).join(' / ');
    const still = h.samples.every((m) => m.steady) ? '' : ' (RSS did not hold still before some sample: noisier)';
    return `RSS ${at((m) => m.rss)} MB, heap ${at((m) => m.heap)} MB${closed ? ' (the last with every socket closed again)' : ''}; ` +
      `per connection by step RSS ${steps((m) => m.rss)} KB, heap ${steps((m) => m.heap)} KB${still}`;
  };
  const per = (h: Held) => `${kb(h.census.bytes)} live heap (heapUsed after GC: ${kb(h.perConnection.jsHeap)} JS + ${kb(h.perConnection.external)} external), ${kb(h.perConnection.rss)} RSS`;
  const holds = (c: PerConnectionHeap) => c.top.map((k) => `${k.kind.trim()} ${k.count.toFixed(1)}× ${Math.round(k.bytes)} B`).join(', ');
  const pq = (p: { p50: number; p99: number }) => `${p.p50.toFixed(1)} / ${p.p99.toFixed(1)}`;
  const rows: Row[] = [
    { name: 'bare ws server: idle sockets held', rate: bare.held, unit: 'sockets', note: `per socket ${per(bare)}; opened in ${bare.connectSeconds.toFixed(1)} s, failed ${bare.failed}` },
    { name: 'widget sockets held (real gateway)', rate: w.held, unit: 'sockets', note: `per connection ${per(w)}; open→hello→ready in ${w.connectSeconds.toFixed(1)} s, failed ${w.failed}, dropped ${w.dropped}` },
    { name: 'raw Redis pub/sub publish→receive', rate: pubsub.rate, unit: 'msg/s', p50: pubsub.p50, p99: pubsub.p99, note: `steady rate, ${w.held} topics subscribed, ${pubsub.sent} messages, missing ${pubsub.missing}` },
    { name: 'agent reply → visitor socket', rate: fanout.rate, unit: 'msg/s', p50: fanout.p50, p99: fanout.p99, note: `steady rate, ${w.held} sockets held, ${w.sessions} sessions, ${fanout.sent} replies, missing ${fanout.missing}, non-2xx ${fanout.non2xx}` },
  ];
  const ratios: Array<[string, number]> = [
    ['widget RSS per connection / bare ws', w.perConnection.rss / bare.perConnection.rss],
    ['widget live heap per connection / bare ws (goal ≤ 2)', w.census.bytes / bare.census.bytes],
    ['widget heapUsed per connection / bare ws (noisy: uncollected garbage moves it)', w.perConnection.heap / bare.perConnection.heap],
    ['agent reply fan-out p99 / raw Redis pub/sub p99', fanout.p99 / pubsub.p99],
  ];
  const footer = [
    `web chat: ${n} sockets${capped ? ` (${capped})` : ''}, one visitor each (registered beforehand in ${w.visitorSeconds.toFixed(1)} s, not in the memory figures), ` +
      `opened in 3 steps after a warm-up; memory sampled right after a full GC once RSS held still (10 samples a second apart within 1 MB), ` +
      `heap = V8 heap used + external; per connection = the median of the steps, * = left out: external memory moved > 32 MB in it`,
    `memory, real gateway: ${memory(w, w.closed)}`,
    `memory, bare ws server: ${memory(bare)}`,
    `live heap per connection (heap snapshots before and after ${censusSockets(n)} more sockets, taken after everything timed; self sizes), the kinds that grew most: ` +
      `real gateway ${holds(w.census)}; bare ws ${holds(bare.census)}`,
    `memory caveat: the server's own churn moves its RSS and heap by tens of MB (RSS steps as V8 and malloc hand memory back or reuse it; ` +
      `its external memory drops by ~430 MB once, during its first database work), as much as a few thousand sockets cost: ` +
      `the step median outvotes one swing, not two; BENCH_WIDGET_CONNECTIONS=8000 makes the figures firmer`,
    `reply fan-out: POST /chat/sessions/{id}/send as agent → the 'message' frame with that exact text on the visitor's socket (one clock); ` +
      `${w.sessions} sessions opened by a widget 'send' (channel per-IP limits raised: every visitor is 127.0.0.1), ${w.aiSettled} AI answers landed before the timed replies; ` +
      `max ${fanout.max.toFixed(1)} ms (pub/sub max ${pubsub.max.toFixed(1)} ms); p50 / p99 of its parts: the POST ${pq(fanout.parts.post)}, ` +
      `POST → doorbell (heard by a subscriber in the bench) ${pq(fanout.parts.toDoorbell)}, doorbell → frame (the gateway) ${pq(fanout.parts.doorbellToFrame)} ms; ` +
      `on the wrong socket ${fanout.wrongSocket} → ${ok ? 'OK' : 'FAILED'}`,
  ];
  return { rows, ratios, footer, json: { settings: { ...WIDGET, connections: n, requested: WIDGET.connections, capped }, bareWs: bare, gateway: w, ok }, ok };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
