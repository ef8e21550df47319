import { startTwilioPeer } from '../channels/shared/twilio/peer/twilio-peer.ts';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { drizzleInserts, honoEcho, honoForm } from './baselines.ts';
import { profileLines, type ProfileSummary, summarizeProfileDir } from './cpu-profile.ts';
import type { LoadResult, LoopResult } from './load.ts';
import { api, type Server } from './product.ts';
import { bullmqLatency, type QueueLatency } from './queue-latency.ts';
import type { Row } from './report.ts';
import { type SmsReplyLatency, smsReplyLatency } from './sms-reply-latency.ts';
import { type SmsTarget, type SmsWebhookLoad, signedInbound, smsWebhookLoad } from './sms-webhook-load.ts';

// (k–l): SMS over Twilio's protocol, on a server of its own with the default settings (TURN_BURST_MS as
// configured: the reply latency includes the burst wait on purpose). A Twilio-protocol peer in this process is the
// channel's api_base_url, so the AI's replies are really sent somewhere. Its status callbacks are off: they would be
// a second webhook stream, posted from the load generator's own thread, that (k) does not set out to measure.
// The ratios use the baselines of the same run: the core runs' when there are some, else (BENCH_ONLY=sms) its own.

const SMS = { connections: 50, seconds: 8, replyRate: 20, replySeconds: 5 };
/** The goals (docs/benchmarks.md): acknowledged/s, p99 ms, the ratio to bare Hono's form POST. */
const GOAL = { ackRate: 1000, ackP99: 100, formRatio: 0.1, answeredWithinMs: 60_000 };
/** The split topology's goal: a ROLE=api process on PostgreSQL (BENCH_ONLY=sms-split). */
const SPLIT_ACK_RATE = 2000;
/** The server's CPU profile of the SMS part goes here; its top 15 self-time functions into the footer. */
const PROFILE_DIR = resolve(import.meta.dirname, '..', 'artifacts', 'profiles');
const CHANNEL_NUMBER = '+14155550100';

export interface Baselines {
  echo: LoadResult;
  inserts: LoopResult & { kind: string };
  queueLat: QueueLatency;
}

export async function smsRun(
  databaseUrl: string | undefined,
  ctx: {
    withServer: <T>(env: Record<string, string>, fn: (s: Server) => Promise<T>, cpuProfileDir?: string) => Promise<T>;
    log: (msg: string) => void;
    burstMs: number;
    baselines?: Baselines | undefined;
    /** Set for ROLE=api + ROLE=worker: named in the rows, with that topology's goal. */
    split?: boolean | undefined;
  },
) {
  const { log, burstMs } = ctx;
  const own = ctx.baselines === undefined;
  // Before the server starts, as in the core runs: nothing else busy while they are measured.
  const { echo, inserts } = ctx.baselines ?? (await ownBaselines(databaseUrl, log));
  const sample = signedInbound({ inboundUrl: 'http://127.0.0.1/x', accountSid: 'AC0', authToken: 't', number: CHANNEL_NUMBER }, 'SM0', '+14155550199', 'Hi');
  log(`(a') bare Hono form POST (a Twilio webhook's body, empty TwiML), -c ${SMS.connections}, 8 s…`);
  const form = await honoForm(SMS.connections, 8, sample.body);
  const profileDir = resolve(PROFILE_DIR, `sms-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(profileDir, { recursive: true });
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
      log(`(k) signed SMS webhooks, -c ${SMS.connections}, ${SMS.seconds} s, each from a new number; then duplicates…`);
      const hooks = await smsWebhookLoad(server, peer, target, { ...SMS, settleQuietMs: burstMs + 2000, log });
      log(`(l) SMS webhook → reply at the Twilio peer, ${SMS.replyRate}/s for ${SMS.replySeconds} s, a new number each…`);
      const reply = await smsReplyLatency(server, peer, target, SMS.replyRate, SMS.replySeconds);
      return { queueLat, hooks, reply };
    }, profileDir);
    const profile = summarizeProfileDir(profileDir);
    return report(r, { echo, form, inserts }, own, burstMs, profile, ctx.split === true);
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
  { echo, form, inserts }: { echo: LoadResult; form: LoadResult; inserts: LoopResult & { kind: string } },
  own: boolean,
  burstMs: number,
  profile: ProfileSummary | undefined,
  split: boolean,
) {
  const where = split ? ' (ROLE=api + ROLE=worker, PostgreSQL)' : ' (real server)';
  const ackGoal = split ? SPLIT_ACK_RATE : GOAL.ackRate;
  const d = hooks.duplicate;
  const e2e = hooks.e2e;
  const loadOk = hooks.non2xx === 0 && hooks.errors === 0 && e2e.answered >= e2e.acknowledged;
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
    { name: 'bare Hono form POST (Twilio body, TwiML)', rate: form.rps, unit: 'req/s', p50: form.p50, p99: form.p99, note: `-c ${SMS.connections}, non-2xx ${form.non2xx}` },
    { name: `signed SMS webhook, new senders${where}`, rate: hooks.rps, unit: 'req/s', p50: hooks.p50, p99: hooks.p99, note: `-c ${SMS.connections}, ${hooks.built} posted, non-2xx ${hooks.non2xx}, errors ${hooks.errors}; goal ≥ ${ackGoal}/s, p99 ≤ ${GOAL.ackP99} ms` },
    { name: 'SMS webhook → reply at the peer, sustained', rate: e2e.rate, unit: 'msg/s', note: `${e2e.answered}/${e2e.acknowledged} acknowledged answered, last ${(e2e.afterBurstMs / 1000).toFixed(1)} s after the burst (goal: all within ${GOAL.answeredWithinMs / 1000} s)` },
    { name: 'same SMS webhooks re-posted (duplicates)', rate: d.rps, unit: 'req/s', p50: d.p50, p99: d.p99, note: `${d.posted} posts of ${d.sampled} sent bodies, non-2xx ${d.non2xx}, stored messages ${d.before.messages} → ${d.after.messages}` },
    { name: 'SMS webhook → reply at the Twilio peer', rate: reply.rate, unit: 'msg/s', p50: reply.p50, p99: reply.p99, note: `steady rate, TURN_BURST_MS=${burstMs}, ${reply.replies}/${reply.acked} replies, missing ${reply.missing}` },
  ];
  const ratios: Array<[string, number]> = [
    [`SMS webhook / bare Hono form POST (req/s; goal ≥ ${GOAL.formRatio})`, hooks.rps / form.rps],
    ['SMS webhook / bare Hono JSON echo (req/s)', hooks.rps / echo.rps],
    ['SMS sustained webhook → reply / bare Hono form POST', e2e.rate / form.rps],
    ['SMS webhook / raw inserts', hooks.rps / inserts.opsPerSec],
    ['SMS reply latency p50 / BullMQ add→completed p50', reply.p50 / queueLat.p50],
    ['(SMS reply latency p50 − TURN_BURST_MS) / BullMQ add→completed p50', (reply.p50 - burstMs) / queueLat.p50],
  ];
  const ms = (n: number) => n.toFixed(1);
  const inFlight = hooks.built - hooks.ok - hooks.non2xx;
  const footer = [
    `SMS webhooks: form-encoded Twilio inbound params, each with a new MessageSid and its X-Twilio-Signature ` +
      `(each from a new number: a new contact, identity and session; ${d.before.sessions} SMS sessions incl. 100 warm-up numbers); ` +
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
  if (profile) footer.push(...profileLines('SMS server', profile));
  const ok = loadOk && dupOk && replyOk;
  const json = { settings: { ...SMS, turnBurstMs: burstMs }, ...(own ? { baselines: { honoEcho: echo, drizzleInserts: inserts, bullmqAddToCompleted: queueLat } } : {}), honoForm: form, goals: GOAL, webhooks: hooks, reply, profile, ok };
  return { rows, ratios, footer, json, ok };
}
