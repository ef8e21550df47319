import { setTimeout as sleep } from 'node:timers/promises';
import { QueueEvents } from 'bullmq';
import { createRedis } from '../src/queue/connection.ts';
import { redisPrefix } from '../src/queue/names.ts';
import { paced, percentile } from './load.ts';
import { api, QUEUE_PREFIX, type Server } from './product.ts';

// (f) The product's reply latency: from a contact message accepted (the 2xx of POST /chat/sessions/{id}/send) to
// its AI reply handed to dispatch, at a steady rate; each message opens its own session so no burst coalesces.
//
// How "handed to dispatch" is timed. The turn worker commits the AI reply row, then (after the commit) adds the
// reply's dispatch job, id `dispatch-<reply id>`. That add writes an `added` entry to the dispatch queue's event
// stream, whose id is Redis's own clock (ms) at the moment the job entered the queue. We read those entries with
// QueueEvents from the start of the stream (nothing missed, no polling interval in the figure, and the stream's
// delivery delay does not count, since the time is the entry's, not its arrival's). The start is Date.now() in this
// process when the send's 2xx arrives. Redis and Node both read this machine's wall clock, so the two compare;
// resolution 1 ms. Cross-check, reported beside it: the reply row's created_at from history (set in JS by the
// server while building the row inside the committing transaction, i.e. just before the commit).
// Polling history for the reply instead would add the poll interval (and the polling's own load) to every sample.

const ARTICLE = {
  title: 'Shipping times',
  body: 'Orders ship within 2 business days. Delivery in Europe takes 3 to 5 days.',
  tags: ['shipping'],
};
const QUESTION = 'How long does delivery in Europe take?';
/** What a reply from the article says. */
const ANSWER = '3 to 5 days';
const WARM_UP = 5;

interface HistoryItem {
  id: string;
  created_at: string;
  event: { type: string; sender?: { type: string }; content?: { text: string } };
}

export interface ReplyLatency {
  rate: number;
  sent: number;
  accepted: number;
  replies: number;
  /** Accepted messages whose AI reply was not handed to dispatch within the wait (handoffs included). */
  missing: number;
  handoffs: number;
  /** Replies that quote the article (the rest were some other answer, e.g. a request to say more). */
  fromKnowledge: number;
  non2xx: number;
  /** 2xx → dispatch job added (Redis clock), ms. */
  p50: number;
  p99: number;
  max: number;
  /** 2xx → reply row created_at (server clock, inside the transaction), ms. */
  rowP50: number;
  rowP99: number;
  /** The send request's own latency (request → 2xx), ms. */
  sendP50: number;
  sendP99: number;
}

interface Sample {
  sessionId: string;
  acceptedAt?: number;
  replyAt?: number;
  rowAt?: number;
  handoff?: boolean;
  fromKnowledge?: boolean;
}

export async function replyLatency(server: Server, rate: number, seconds: number): Promise<ReplyLatency> {
  await api(server, 'POST', '/knowledge', ARTICLE);
  const connection = createRedis(server.redisUrl, 'worker');
  const events = new QueueEvents('dispatch', { connection, prefix: redisPrefix(QUEUE_PREFIX), lastEventId: '0' });
  const addedAt = new Map<string, number>();
  events.on('added', ({ jobId }, id) => addedAt.set(jobId, Number(id.split('-')[0])));
  try {
    await events.waitUntilReady();
    await measure(server, addedAt, 'warm', WARM_UP, rate); // warm-up: JIT, knowledge index; not counted
    const count = Math.round(rate * seconds);
    const { samples, sendMs, achieved } = await measure(server, addedAt, 'run', count, rate);
    const accepted = samples.filter((s) => s.acceptedAt !== undefined);
    const done = accepted.filter((s) => s.replyAt !== undefined);
    const ms = (pick: (s: Sample) => number) => done.map(pick).sort((a, b) => a - b);
    const lat = ms((s) => s.replyAt! - s.acceptedAt!);
    const row = ms((s) => s.rowAt! - s.acceptedAt!);
    sendMs.sort((a, b) => a - b);
    return {
      rate: achieved,
      sent: count,
      accepted: accepted.length,
      replies: done.length,
      missing: accepted.length - done.length,
      handoffs: accepted.filter((s) => s.handoff).length,
      fromKnowledge: done.filter((s) => s.fromKnowledge).length,
      non2xx: count - accepted.length,
      p50: percentile(lat, 0.5),
      p99: percentile(lat, 0.99),
      max: lat.at(-1) ?? Number.NaN,
      rowP50: percentile(row, 0.5),
      rowP99: percentile(row, 0.99),
      sendP50: percentile(sendMs, 0.5),
      sendP99: percentile(sendMs, 0.99),
    };
  } finally {
    await events.close();
    connection.disconnect();
  }
}

/** Sends `count` questions at `rate`, each into a session created beforehand, then collects their replies. */
async function measure(server: Server, addedAt: Map<string, number>, tag: string, count: number, rate: number) {
  const samples: Sample[] = [];
  await inParallel(count, 8, async (i) => {
    const contact = { email: `bench-${tag}-${i}-${Date.now()}@example.com`, name: `Latency ${i}` };
    samples[i] = { sessionId: (await api(server, 'POST', '/chat/sessions', { contact })).id as string };
  });
  const sendMs: number[] = [];
  const before = addedAt.size;
  const body = JSON.stringify({ sender: 'contact', message: { type: 'text', text: QUESTION } });
  const headers = { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' };
  const { rate: achieved } = await paced(rate, count, async (i) => {
    const s = samples[i]!;
    const t0 = performance.now();
    const res = await fetch(`${server.url}/chat/sessions/${s.sessionId}/send`, { method: 'POST', headers, body });
    if (res.ok) {
      s.acceptedAt = Date.now(); // the 2xx, on the wall clock the server and Redis also read
      sendMs.push(performance.now() - t0);
    }
    await res.arrayBuffer();
  });
  const accepted = samples.filter((s) => s.acceptedAt !== undefined);
  await collect(server, addedAt, before + accepted.length, accepted);
  return { samples, sendMs, achieved };
}

/** Waits (up to 20 s after the last send) until every sample's AI reply has been handed to dispatch. */
async function collect(server: Server, addedAt: Map<string, number>, expected: number, samples: Sample[]) {
  const deadline = Date.now() + 20_000;
  // Cheap first: let the dispatch stream reach the expected count before reading any history.
  while (addedAt.size < expected && Date.now() < deadline) await sleep(50);
  let waiting = samples;
  for (;;) {
    await inParallel(waiting.length, 8, async (i) => {
      const s = waiting[i]!;
      const page = await api(server, 'GET', `/chat/sessions/${s.sessionId}/history?limit=100`);
      const items = page.items as HistoryItem[];
      const reply = items.find((it) => it.event.type === 'message' && it.event.sender?.type === 'ai');
      s.handoff = items.some((it) => it.event.type === 'handoff');
      const handedAt = reply && addedAt.get(`dispatch-${reply.id}`);
      if (reply && handedAt !== undefined) {
        Object.assign(s, { replyAt: handedAt, rowAt: Date.parse(reply.created_at), fromKnowledge: reply.event.content?.text.includes(ANSWER) });
      }
    });
    waiting = waiting.filter((s) => s.replyAt === undefined && !s.handoff);
    if (waiting.length === 0 || Date.now() > deadline) return;
    await sleep(250);
  }
}

async function inParallel(count: number, width: number, fn: (i: number) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, lane));
}
