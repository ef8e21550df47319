import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { createRedis } from '../src/queue/connection.ts';
import { contactTopic } from '../src/realtime/topics.ts';
import { paced, percentile } from './load.ts';
import { api, QUEUE_PREFIX, type Server } from './product.ts';
import { censusSockets, type Frame, type Held, holdSockets, lanes, type MemorySample, settledMemory } from './ws-baseline.ts';

// Web chat: (h) how many widget sockets one gateway process holds and what each costs in memory; then (j), with all
// of them held, agent replies fanned out to visitors (API → queue → worker → Redis doorbell → gateway feed read →
// socket), next to (i) raw Redis pub/sub. The memory baseline (g), a bare `ws` server, and the visitor client are in
// bench/ws-baseline.ts. Memory is the child's RSS from /proc (Linux), the one figure that covers the JS heap, native
// buffers and sockets alike, with its JS heap beside it as the cross-check.

export interface Latency {
  rate: number;
  sent: number;
  p50: number;
  p99: number;
  max: number;
  missing: number;
}

export interface WidgetLoad extends Held {
  /** After every socket is closed again: near `before`, or the connections left something behind. */
  closed: MemorySample;
  visitorSeconds: number;
  sessions: number;
  /** Of the sessions, how many had their AI answer before the timed replies began. */
  aiSettled: number;
  /** `parts`: the POST alone; POST → the doorbell heard by a subscriber in the bench; that doorbell → the frame. */
  fanout: Latency & { non2xx: number; wrongSocket: number; parts: Record<'post' | 'toDoorbell' | 'doorbellToFrame', { p50: number; p99: number }> };
  pubsub: Latency;
}

const QUESTION = 'Hi, I have a question about my order';

/**
 * (h, j) The real gateway: `count` visitors held, then agent replies to `sessions` of them at `rate` for `seconds`;
 * `baseline(topics)` runs while the sockets are still held, so it meets the same machine.
 */
export async function widgetLoad(
  server: Server,
  opts: { count: number; sessions: number; rate: number; seconds: number; snapshotDir: string; log: (msg: string) => void },
  baseline: (topics: number) => Promise<Latency>,
): Promise<WidgetLoad> {
  const { count, sessions, rate, seconds, log } = opts;
  const { items } = await api(server, 'GET', '/channels?type=web');
  const channel = (items as Array<{ id: string; name: string; public_id: string }>).find((c) => c.name === 'Website')!;
  // Every bench visitor comes from 127.0.0.1: the default 120 messages/min and 20 new visitors/min per IP would
  // refuse most of the registrations and sends that open the sessions. Done before the first widget request, so
  // the gateway's 5 s channel cache has it.
  const rateLimits = { ip_per_minute: 100_000, new_visitors_ip_per_minute: 100_000, new_visitors_per_minute: 100_000 };
  await api(server, 'PATCH', `/channels/${channel.id}`, { config: { rate_limits: rateLimits } });
  const base = `${server.url}/widget/${channel.public_id}`;

  // Visitors are registered before the first memory sample: their database rows are not the sockets' cost. The
  // extra ones are for the heap census's sockets (holdSockets).
  const tokens: string[] = [];
  const contacts: string[] = [];
  const t0 = performance.now();
  await lanes(count + censusSockets(count), 16, async (i) => {
    const res = await fetch(`${base}/visitors`, { method: 'POST', headers: { origin: server.url, 'content-type': 'application/json' }, body: '{}' });
    if (!res.ok) throw new Error(`POST /visitors → ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { token: string; visitor: { contact_id: string } };
    tokens[i] = body.token;
    contacts[i] = body.visitor.contact_id;
  });
  const visitorSeconds = (performance.now() - t0) / 1000;
  log(`  ${count} visitors registered in ${visitorSeconds.toFixed(1)} s; connecting…`);

  const acks = new Map<string, (f: Frame) => void>();
  const answered = new Set<number>();
  const pending = new Map<string, { i: number; t0: number; bell?: number }>();
  let latencies: number[] = [];
  let parts = { post: [] as number[], toDoorbell: [] as number[], doorbellToFrame: [] as number[] };
  let wrongSocket = 0;
  const onFrame = (i: number, f: Frame) => {
    if ((f.type === 'ack' || f.type === 'nack') && f.client_msg_id) return acks.get(f.client_msg_id)?.(f);
    if (f.type !== 'message' || !f.message) return;
    const sent = f.message.text === null ? undefined : pending.get(f.message.text);
    if (!sent) {
      if (f.message.sender.type !== 'contact') answered.add(i);
      return;
    }
    pending.delete(f.message.text!);
    if (sent.i !== i) {
      wrongSocket++;
      return;
    }
    const now = performance.now();
    latencies.push(now - sent.t0);
    if (sent.bell === undefined) return;
    parts.toDoorbell.push(sent.bell - sent.t0);
    parts.doorbellToFrame.push(now - sent.bell);
  };

  const hello = (i: number) => ({ type: 'hello', token: tokens[i], after_seq: 0, seen_ids: [] });
  const run = await holdSockets(server.child.proc, `${base.replace(/^http/, 'ws')}/ws`, server.url, count, hello, onFrame, opts.snapshotDir);
  const { sockets } = run;
  const bells = createRedis(server.redisUrl, 'worker');
  try {
    const open = sockets.flatMap((ws, i) => (ws?.readyState === WebSocket.OPEN ? [i] : []));
    const held = open.length;
    log(`  ${held} sockets held (${run.failed} failed) after ${run.connectSeconds.toFixed(1)} s; opening ${sessions} sessions…`);

    // Sessions: each chosen visitor says something and waits for its ack (which names the session). That starts
    // an AI turn: let those answers land first (or 5 s pass) so they do not race the timed replies.
    const sessionOf = new Map<number, string>();
    await lanes(Math.min(sessions, held), 16, async (j) => {
      const i = open[j]!;
      const id = randomUUID();
      const ack = await new Promise<Frame | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 10_000);
        acks.set(id, (f) => {
          clearTimeout(timer);
          resolve(f);
        });
        sockets[i]!.send(JSON.stringify({ type: 'send', client_msg_id: id, text: QUESTION }));
      });
      if (ack?.type === 'ack' && ack.session_id) sessionOf.set(i, ack.session_id);
    });
    const chosen = [...sessionOf.keys()];
    for (const deadline = Date.now() + 5000; chosen.some((i) => !answered.has(i)) && Date.now() < deadline; ) await sleep(50);
    const aiSettled = chosen.filter((i) => answered.has(i)).length;
    log(`  ${chosen.length} sessions, ${aiSettled} AI answers in; timed agent replies…`);

    // The split: the bench listens to the chosen visitors' doorbells too (the topic the web adapter publishes on).
    // POST → doorbell is the API, the queue and the worker; doorbell → frame is the gateway (feed read, socket
    // write). A visitor's replies come sessions/rate seconds apart, so the first doorbell after a POST is its reply's.
    const visitorOf = new Map(chosen.map((i) => [contactTopic(QUEUE_PREFIX, contacts[i]!), i]));
    bells.on('message', (topic: string, payload: string) => {
      if (!payload.includes('doorbell')) return;
      const rung = [...pending.values()].find((p) => p.i === visitorOf.get(topic) && p.bell === undefined);
      if (rung) rung.bell = performance.now();
    });
    await bells.subscribe(...visitorOf.keys());

    // Replies: timed from just before the POST to the frame with that exact (unique) text on that visitor's socket.
    const headers = { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' };
    const runId = randomUUID().slice(0, 8);
    let non2xx = 0;
    const replies = async (tag: string, n: number, drainMs: number) => {
      const done = await paced(rate, n, async (j) => {
        const i = chosen[j % chosen.length]!;
        const text = `Agent reply ${tag} ${j} (${runId})`;
        const body = JSON.stringify({ sender: 'agent', message: { type: 'text', text } });
        const t0 = performance.now();
        pending.set(text, { i, t0 });
        const res = await fetch(`${server.url}/chat/sessions/${sessionOf.get(i)}/send`, { method: 'POST', headers, body });
        parts.post.push(performance.now() - t0);
        if (!res.ok) {
          non2xx++;
          pending.delete(text);
        }
        await res.arrayBuffer();
      });
      for (const deadline = Date.now() + drainMs; pending.size > 0 && Date.now() < deadline; ) await sleep(20);
      return done.rate;
    };
    await replies('warm', Math.round(rate / 2), 5000); // warm-up: half a second at the rate, not counted
    latencies = [];
    pending.clear();
    non2xx = wrongSocket = 0;
    parts = { post: [], toDoorbell: [], doorbellToFrame: [] };
    const sent = Math.round(rate * seconds);
    const achieved = await replies('run', sent, 10_000);
    const split = { post: spread(parts.post), toDoorbell: spread(parts.toDoorbell), doorbellToFrame: spread(parts.doorbellToFrame) };
    const fanout = { rate: achieved, sent, ...spread(latencies), missing: pending.size, non2xx, wrongSocket, parts: split };

    log(`  raw Redis pub/sub with the sockets still held…`);
    const pubsub = await baseline(held);
    // Last, when nothing timed is left: heap snapshots slow the process for a while after them.
    log(`  heap census (two snapshots around ${censusSockets(count)} more sockets)…`);
    const census = await run.takeCensus();
    const dropped = run.dropped();
    // And once they are all closed: back near the first sample, or the connections left something behind.
    for (const ws of sockets) ws?.terminate();
    const closed = await settledMemory(server.child.proc);
    const { failed, connectSeconds, memory } = run;
    return { held, failed, dropped, connectSeconds, ...memory, census, closed, visitorSeconds, sessions: chosen.length, aiSettled, fanout, pubsub };
  } finally {
    bells.disconnect();
    for (const ws of sockets) ws?.terminate();
  }
}

function spread(ms: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** (i) PUBLISH → `message` at a steady rate, two ioredis connections, one clock (this process). */
export async function pubsubLatency(redisUrl: string, topics: number, rate: number, seconds: number): Promise<Latency> {
  const pub = createRedis(redisUrl, 'plain');
  const sub = createRedis(redisUrl, 'worker');
  const topic = (i: number) => `bench-pubsub-${i}`;
  const sentAt = new Map<string, number>();
  let lat: number[] = [];
  sub.on('message', (_topic: string, payload: string) => {
    const t = sentAt.get(payload);
    if (t === undefined) return;
    lat.push(performance.now() - t);
    sentAt.delete(payload);
  });
  try {
    // As many topics subscribed as the gateway's hub holds (one per visitor), so Redis's lookup is the same size.
    for (let i = 0; i < topics; i += 500) {
      await sub.subscribe(...Array.from({ length: Math.min(500, topics - i) }, (_, j) => topic(i + j)));
    }
    const burst = async (tag: string, n: number) => {
      const done = await paced(rate, n, async (j) => {
        const payload = JSON.stringify({ kind: 'doorbell', n: `${tag}-${j}` }); // a doorbell's size, and unique
        sentAt.set(payload, performance.now());
        await pub.publish(topic(j % topics), payload);
      });
      for (const deadline = Date.now() + 5000; sentAt.size > 0 && Date.now() < deadline; ) await sleep(20);
      return done.rate;
    };
    await burst('warm', Math.round(rate / 2)); // warm-up: half a second at the rate, not counted
    lat = [];
    sentAt.clear();
    const sent = Math.round(rate * seconds);
    const achieved = await burst('run', sent);
    return { rate: achieved, sent, ...spread(lat), missing: sentAt.size };
  } finally {
    sub.disconnect();
    pub.disconnect();
  }
}
