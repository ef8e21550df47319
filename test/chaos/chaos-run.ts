import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTwilioPeer, type TwilioPeer } from '../../channels/shared/twilio/peer/twilio-peer.ts';
import { scratchDatabase } from './database.ts';
import { freePort, redisProcess, serverProcess, type Restartable } from './processes.ts';

// One chaos run: signed Twilio SMS from new senders, each posted until it gets a 2xx (as Twilio retries) and 30 %
// posted twice, while the server is killed with SIGKILL twice and Redis once, each started again at once. Then:
// how many messages were lost or stored twice, how many customers got a reply twice, and how long after each
// restart the conversations in flight at a kill were answered. test/chaos/chaos.test.ts runs a small one in CI;
// `npm run chaos` a large one (bench/chaos.ts).

export interface ChaosOptions {
  messages: number;
  concurrency: number;
  /**
   * Messages started per second, at most: a load the box sustains (as in production), so that "recovery" measures
   * the crash and not the draining of a backlog that overload would build anyway (that is npm run bench's subject).
   */
  ratePerSecond: number;
  /** A PostgreSQL server: the run creates (and drops) a database of its own on it. */
  databaseUrl: string;
  log?: (msg: string) => void;
}

export interface ChaosFigures {
  messages: number;
  kills: number;
  lost: number;
  storedTwice: number;
  unanswered: number;
  duplicateReplies: number;
  reply: { p50Ms: number; p99Ms: number };
  /** Conversations in flight at a kill (acknowledged, not yet answered): time from the restart to their reply. */
  recovery: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
  seconds: number;
}

export const SHOP = '+14155550100';
/** What every customer asks: the article setUpSms adds answers it. */
export const QUESTION = 'How long do I have to get a refund?';
const sender = (i: number) => `+1555${String(1_000_000 + i).slice(1)}`;

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

export async function runChaos(opts: ChaosOptions): Promise<ChaosFigures> {
  const log = opts.log ?? (() => {});
  const work = mkdtempSync(join(tmpdir(), 'sb-chaos-'));
  const database = await scratchDatabase(opts.databaseUrl, 'sb_chaos');
  const { sql } = database;
  const redis = await redisProcess(join(work, 'redis'));
  let peer: TwilioPeer | undefined;
  let server: Restartable | undefined;
  const started = Date.now();
  try {
    await redis.start();
    peer = await startTwilioPeer();
    const port = await freePort();
    const key = `sb_chaos_${randomBytes(16).toString('base64url')}`;
    server = await serverProcess({
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: join(work, 'data'),
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      SWITCHBOARD_BOOTSTRAP_KEY: key,
      SWITCHBOARD_SECRET: randomBytes(32).toString('base64url'),
    });
    await server.start();
    const inbound = await setUpSms(server.url, key, peer);
    log(`server ${server.url}, redis ${redis.url}, database ${database.name}`);

    const acked = new Map<string, number>();
    const restarts: Array<{ at: number; readyAt: number; inFlight: string[] }> = [];
    const kill = async (what: Restartable, name: string) => {
      const at = Date.now();
      const answered = new Set(peer!.sent.map((s) => s.to));
      const inFlight = [...acked.keys()].filter((from) => !answered.has(from));
      await what.kill9();
      await what.start();
      restarts.push({ at, readyAt: Date.now(), inFlight });
      log(`kill -9 ${name} at ${acked.size} acknowledged (${inFlight.length} in flight); serving again after ${Date.now() - at} ms`);
    };
    const faults = [
      { after: 0.25, run: () => kill(server!, 'server') },
      { after: 0.5, run: () => kill(redis, 'redis') },
      { after: 0.75, run: () => kill(server!, 'server') },
    ];
    let next = 0;
    const faulting = (async () => {
      while (next < faults.length) {
        if (acked.size >= faults[next]!.after * opts.messages) await faults[next++]!.run();
        else await sleep(20);
      }
    })();

    let cursor = 0;
    const loadStarted = Date.now();
    const post = async (from: string, messageSid?: string) => {
      for (;;) {
        try {
          const res = await peer!.sendInbound(inbound, { from, to: SHOP, body: QUESTION, ...(messageSid ? { messageSid } : {}) });
          if (res.status >= 200 && res.status < 300) return res.messageSid;
        } catch {
          // Connection refused while the server is down: Twilio retries too.
        }
        await sleep(100);
      }
    };
    const worker = async () => {
      while (cursor < opts.messages) {
        const i = cursor++;
        const due = loadStarted + (i * 1000) / opts.ratePerSecond;
        if (due > Date.now()) await sleep(due - Date.now());
        const from = sender(i);
        const sid = await post(from);
        acked.set(from, Date.now());
        if (i % 10 < 3) await post(from, sid);
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    await faulting;
    log(`all ${opts.messages} acknowledged after ${Date.now() - started} ms; waiting for replies`);

    const deadline = Date.now() + 90_000;
    while (new Set(peer.sent.map((s) => s.to)).size < opts.messages && Date.now() < deadline) await sleep(200);
    await sleep(3000); // a late second copy would show here

    const firstReply = new Map<string, number>();
    const replies = new Map<string, number>();
    for (const s of peer.sent) {
      replies.set(s.to, (replies.get(s.to) ?? 0) + 1);
      if (!firstReply.has(s.to)) firstReply.set(s.to, s.at.getTime());
    }
    const [{ n: storedCount }] = await sql<[{ n: number }]>`select count(distinct external_id)::int as n from messages where direction = 'in'`;
    const [{ n: twice }] = await sql<[{ n: number }]>`select count(*)::int as n from (select external_id from messages where direction = 'in' group by channel_id, external_id having count(*) > 1) d`;
    const latencies = [...acked].flatMap(([from, at]) => (firstReply.has(from) ? [firstReply.get(from)! - at] : []));
    const recovery = restarts.flatMap((r) => r.inFlight.flatMap((from) => (firstReply.has(from) ? [Math.max(0, firstReply.get(from)! - r.readyAt)] : [])));
    return {
      messages: opts.messages,
      kills: restarts.length,
      lost: opts.messages - storedCount,
      storedTwice: twice,
      unanswered: opts.messages - firstReply.size,
      duplicateReplies: [...replies.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      reply: { p50Ms: pct(latencies, 50), p99Ms: pct(latencies, 99) },
      recovery: { count: recovery.length, p50Ms: pct(recovery, 50), p99Ms: pct(recovery, 99), maxMs: Math.max(0, ...recovery) },
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } catch (err) {
    if (server) log(`server log:\n${server.log().slice(-4000)}`);
    throw err;
  } finally {
    await server?.stop().catch(() => {});
    await peer?.close().catch(() => {});
    await redis.stop().catch(() => {});
    await database.drop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The SMS channel pointing at the peer, and an article that answers the question every customer asks; returns the
 * channel's inbound webhook URL. test/topology reuses it.
 */
export async function setUpSms(url: string, key: string, peer: TwilioPeer): Promise<string> {
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { webhook_urls?: Record<string, string> };
  };
  await call('/knowledge', { title: 'Refund policy', body: 'You can get a full refund within 30 days of purchase.', tags: [] });
  const channel = await call('/channels', {
    type: 'sms',
    name: 'Chaos SMS',
    config: { account_sid: peer.accountSid, auth_token: peer.authToken, from: SHOP, api_base_url: peer.url },
  });
  return channel.webhook_urls!.inbound!;
}
