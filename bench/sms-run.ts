import { startTwilioPeer } from '../channels/shared/twilio/peer/twilio-peer.ts';
import { drizzleInserts, honoEcho } from './baselines.ts';
import type { LoadResult, LoopResult } from './load.ts';
import { api, type Server } from './product.ts';
import { bullmqLatency, type QueueLatency } from './queue-latency.ts';
import type { Row } from './report.ts';
import { type SmsReplyLatency, smsReplyLatency } from './sms-reply-latency.ts';
import { type SmsTarget, type SmsWebhookLoad, smsWebhookLoad } from './sms-webhook-load.ts';

// (k–l): SMS over Twilio's protocol, on a server of its own with the default settings (TURN_BURST_MS as
// configured: the reply latency includes the burst wait on purpose). A Twilio-protocol peer in this process is the
// channel's api_base_url, so the AI's replies are really sent somewhere. Its status callbacks are off: they would be
// a second webhook stream, posted from the load generator's own thread, that (k) does not set out to measure.
// The ratios use the baselines of the same run: the core runs' when there are some, else (BENCH_ONLY=sms) its own.

const SMS = { connections: 50, seconds: 8, senders: 500, replyRate: 20, replySeconds: 5 };
const CHANNEL_NUMBER = '+14155550100';

export interface Baselines {
  echo: LoadResult;
  inserts: LoopResult & { kind: string };
  queueLat: QueueLatency;
}

export async function smsRun(
  databaseUrl: string | undefined,
  ctx: {
    withServer: <T>(env: Record<string, string>, fn: (s: Server) => Promise<T>) => Promise<T>;
    log: (msg: string) => void;
    burstMs: number;
    baselines?: Baselines | undefined;
  },
) {
  const { log, burstMs } = ctx;
  const own = ctx.baselines === undefined;
  // Before the server starts, as in the core runs: nothing else busy while they are measured.
  const { echo, inserts } = ctx.baselines ?? (await ownBaselines(databaseUrl, log));
  const peer = await startTwilioPeer({ autoStatus: false });
  try {
    const r = await ctx.withServer({}, async (server) => {
      if (own) log('(e) raw BullMQ add→completed, 500 jobs/s for 5 s, no-op worker (concurrency 16)…');
      const queueLat = ctx.baselines?.queueLat ?? (await bullmqLatency(server.redisUrl, 500, 5, 16));
      const channel = await api(server, 'POST', '/channels', {
        type: 'sms',
        name: 'Bench SMS',
        config: { account_sid: peer.accountSid, auth_token: peer.authToken, from: CHANNEL_NUMBER, api_base_url: peer.url },
      });
      const inboundUrl = String(channel.webhook_urls.inbound);
      // Signatures cover the URL: it must be the one we post to (PUBLIC_URL defaults to http://HOST:PORT).
      if (!inboundUrl.startsWith(`${server.url}/`)) throw new Error(`inbound URL ${inboundUrl} is not on ${server.url}: set no PUBLIC_URL for the bench`);
      const target: SmsTarget = { inboundUrl, accountSid: peer.accountSid, authToken: peer.authToken, number: CHANNEL_NUMBER };
      log(`(k) signed SMS webhooks, -c ${SMS.connections}, ${SMS.seconds} s, ${SMS.senders} senders; then duplicates…`);
      const hooks = await smsWebhookLoad(server, peer, target, { ...SMS, settleQuietMs: burstMs + 2000, log });
      log(`(l) SMS webhook → reply at the Twilio peer, ${SMS.replyRate}/s for ${SMS.replySeconds} s, a new number each…`);
      const reply = await smsReplyLatency(server, peer, target, SMS.replyRate, SMS.replySeconds);
      return { queueLat, hooks, reply };
    });
    return report(r, echo, inserts, own, burstMs);
  } finally {
    await peer.close();
  }
}

/** (a) and (c) as the core runs measure them, for a BENCH_ONLY=sms run that has none. */
async function ownBaselines(databaseUrl: string | undefined, log: (msg: string) => void) {
  log(`(a) bare Hono POST echo, 1 KB JSON, -c ${SMS.connections}, 8 s (this run's own baseline)…`);
  const echo = await honoEcho(SMS.connections, 8);
  log('(c) raw drizzle single-row inserts, 50 in flight, 4 s…');
  const inserts = await drizzleInserts(databaseUrl, 50, 4);
  return { echo, inserts };
}

function report(
  { queueLat, hooks, reply }: { queueLat: QueueLatency; hooks: SmsWebhookLoad; reply: SmsReplyLatency },
  echo: LoadResult,
  inserts: LoopResult & { kind: string },
  own: boolean,
  burstMs: number,
) {
  const d = hooks.duplicate;
  const loadOk = hooks.non2xx === 0 && hooks.errors === 0;
  const dupOk = d.non2xx === 0 && d.errors === 0 && d.after.messages === d.before.messages && d.after.sessions === d.before.sessions && d.sentAfter === d.sentBefore;
  const replyOk = reply.non2xx === 0 && reply.missing === 0 && reply.fromKnowledge === reply.replies;
  const baseRows: Row[] = own
    ? [
        { name: 'bare Hono POST echo (1 KB JSON)', rate: echo.rps, unit: 'req/s', p50: echo.p50, p99: echo.p99, note: `-c ${SMS.connections}, non-2xx ${echo.non2xx}` },
        { name: `raw drizzle single-row insert (${inserts.kind})`, rate: inserts.opsPerSec, unit: 'rows/s', p50: inserts.p50, p99: inserts.p99, note: `50 in flight, errors ${inserts.errors}` },
        { name: 'raw BullMQ add→completed', rate: queueLat.rate, unit: 'jobs/s', p50: queueLat.p50, p99: queueLat.p99, note: `steady rate, no-op worker ×16, ${queueLat.count} jobs, missing ${queueLat.missing}` },
      ]
    : [];
  const rows: Row[] = [
    ...baseRows,
    { name: 'signed SMS webhook (real server)', rate: hooks.rps, unit: 'req/s', p50: hooks.p50, p99: hooks.p99, note: `-c ${SMS.connections}, ${hooks.senders} senders, ${hooks.built} posted, non-2xx ${hooks.non2xx}, errors ${hooks.errors}` },
    { name: 'same SMS webhooks re-posted (duplicates)', rate: d.rps, unit: 'req/s', p50: d.p50, p99: d.p99, note: `${d.posted} posts of ${d.sampled} sent bodies, non-2xx ${d.non2xx}, stored messages ${d.before.messages} → ${d.after.messages}` },
    { name: 'SMS webhook → reply at the Twilio peer', rate: reply.rate, unit: 'msg/s', p50: reply.p50, p99: reply.p99, note: `steady rate, TURN_BURST_MS=${burstMs}, ${reply.replies}/${reply.acked} replies, missing ${reply.missing}` },
  ];
  const ratios: Array<[string, number]> = [
    ['SMS webhook / bare Hono (req/s)', hooks.rps / echo.rps],
    ['SMS webhook / raw inserts', hooks.rps / inserts.opsPerSec],
    ['SMS reply latency p50 / BullMQ add→completed p50', reply.p50 / queueLat.p50],
    ['(SMS reply latency p50 − TURN_BURST_MS) / BullMQ add→completed p50', (reply.p50 - burstMs) / queueLat.p50],
  ];
  const ms = (n: number) => n.toFixed(1);
  const inFlight = hooks.built - hooks.ok - hooks.non2xx;
  const footer = [
    `SMS webhooks: form-encoded Twilio inbound params, each with a new MessageSid and its X-Twilio-Signature, from ${hooks.senders} numbers in turn ` +
      `(new contacts first: ${Math.max(0, hooks.built - hooks.senders)} of ${hooks.built} came from a number already seen; ${d.before.sessions} SMS sessions incl. 100 warm-up numbers); ` +
      `status codes ${JSON.stringify(hooks.statusCodes)}, ${inFlight} still in flight when autocannon stopped (not counted); ` +
      `client build + sign ${hooks.signMicros.toFixed(1)} µs a request, ${(hooks.signShare * 100).toFixed(1)}% of the run on the load generator's thread ` +
      `(alone it signs ${Math.round(hooks.signCapacity).toLocaleString('en-US')}/s) → ${loadOk ? 'OK' : 'FAILED'}`,
    `SMS duplicates: after replies settled, ${d.sampled} bodies from the first half of the run re-posted byte for byte (${d.posted} posts, concurrent copies included): ` +
      `status codes ${JSON.stringify(d.statusCodes)}; stored messages (sum of SMS sessions' message_count) ${d.before.messages} → ${d.after.messages}, ` +
      `sessions ${d.before.sessions} → ${d.after.sessions}, replies at the peer ${d.sentBefore} → ${d.sentAfter} → ${dupOk ? 'OK' : 'FAILED'}`,
    `SMS reply latency: ${reply.sent} questions ("How long does shipping take?"), each from a new number; from just before the webhook POST to the peer receiving ` +
      `the REST create (one clock), max ${ms(reply.max)} ms; p50 minus the ${burstMs} ms burst window ${ms(reply.p50 - burstMs)} ms; the webhook's own 200 p50 ${ms(reply.ackP50)} / ` +
      `p99 ${ms(reply.ackP99)} ms; ${reply.fromKnowledge} replies quote the article, non-2xx ${reply.non2xx} → ${replyOk ? 'OK' : 'FAILED'}`,
  ];
  const ok = loadOk && dupOk && replyOk;
  const json = { settings: { ...SMS, turnBurstMs: burstMs }, ...(own ? { baselines: { honoEcho: echo, drizzleInserts: inserts, bullmqAddToCompleted: queueLat } } : {}), webhooks: hooks, reply, ok };
  return { rows, ratios, footer, json, ok };
}
