import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import twilio from 'twilio';
import type { TwilioPeer } from '../channels/shared/twilio/peer/twilio-peer.ts';
import { type HttpRequest, httpLoad, type LoadResult } from './load.ts';
import { api, type Server } from './product.ts';

// (k) Signed Twilio SMS webhooks under load: autocannon posts inbound messages, each with its own MessageSid and
// X-Twilio-Signature, to the channel's inbound URL; then a sample of them is posted again (Twilio's retries) and
// the stored messages must not grow. Bodies are built and signed in setupRequest (one per request sent, so every
// MessageSid is new); the time that takes is summed, so the figure shows whether the client was the bottleneck.

/** An SMS channel as the bench drives it: where to post and what Twilio would sign with. */
export interface SmsTarget {
  /** The inbound webhook URL the channel answered (PUBLIC_URL + path): signatures cover exactly this. */
  inboundUrl: string;
  accountSid: string;
  authToken: string;
  /** The channel's own number (the `To` of every inbound). */
  number: string;
}

/** A US number per index, +1415555xxxx; the parts of the bench take disjoint ranges. */
export const senderNumber = (n: number) => `+1415555${String(n).padStart(4, '0')}`;

/** The form params Twilio posts for a plain SMS: the fields and order of the sandbox peer (twilio-peer-inbound.ts). */
export function inboundParams(t: SmsTarget, sid: string, from: string, body: string): Record<string, string> {
  const geo = (side: string) => ({ [`${side}City`]: '', [`${side}State`]: '', [`${side}Zip`]: '', [`${side}Country`]: 'US' });
  return {
    ...geo('To'), SmsMessageSid: sid, NumMedia: '0', ...geo('From'), SmsSid: sid, SmsStatus: 'received', Body: body,
    To: t.number, NumSegments: '1', MessageSid: sid, AccountSid: t.accountSid, From: from, ApiVersion: '2010-04-01',
  };
}

/** The request body and headers Twilio would send: form-encoded, signed over URL + params. */
export function signedInbound(t: SmsTarget, sid: string, from: string, body: string) {
  const params = inboundParams(t, sid, from, body);
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-twilio-signature': twilio.getExpectedTwilioSignature(t.authToken, t.inboundUrl, params),
  };
  return { body: new URLSearchParams(params).toString(), headers };
}

export interface SmsWebhookLoad extends LoadResult {
  /** Webhook → reply at the peer for the timed run, every sender a new one. */
  e2e: Answers & { rate: number; afterBurstMs: number };
  /** Requests built and signed in the timed run (each sent once). */
  built: number;
  /** Client-side build + sign, per request (µs), and as a share of the run's wall time on this one thread. */
  signMicros: number;
  signShare: number;
  /** Signing alone, flat out on this thread (per second): far above `rps`, or the client was the limit. */
  signCapacity: number;
  duplicate: LoadResult & { sampled: number; posted: number; before: Stored; after: Stored; sentBefore: number; sentAfter: number };
}

export interface Stored {
  sessions: number;
  messages: number;
}

const TEXT = 'Hi, where is my order #1234? It has not arrived yet.';
/** The timed run's senders are +1415555100000 on: beyond the 4-digit ranges the warm-up and (l) use. */
const FIRST_SENDER = 100_000;
/** Goal: every acknowledged webhook answered at the peer within 60 s of the end of the burst. */
const ANSWER_WAIT_MS = 60_000;
const DUPLICATES = 1000;

export async function smsWebhookLoad(
  server: Server,
  peer: TwilioPeer,
  t: SmsTarget,
  opts: { connections: number; seconds: number; settleQuietMs: number; log: (msg: string) => void },
): Promise<SmsWebhookLoad> {
  const { connections, seconds, log } = opts;
  // Every request of the timed run is a new sender: a new contact, identity and session (the costliest path).
  const from = (i: number) => senderNumber(FIRST_SENDER + i);
  const tag = randomBytes(4).toString('hex');
  const sid = (run: string, i: number) => `SM${tag}${run}${i.toString(16).padStart(23, '0')}`;
  const path = new URL(t.inboundUrl).pathname;
  const request = (run: string, from: (i: number) => string) => {
    const counter = { built: 0, micros: 0 };
    const req: HttpRequest = {
      method: 'POST',
      path,
      setupRequest: (r) => {
        const t0 = performance.now();
        const i = counter.built++;
        const signed = signedInbound(t, sid(run, i), from(i), TEXT);
        counter.micros += (performance.now() - t0) * 1000;
        return { ...r, headers: { ...r.headers, ...signed.headers }, body: signed.body };
      },
    };
    return { counter, req };
  };
  // Warm-up (JIT, pools) from other numbers, so the timed run still starts with new contacts. Its requests still
  // in flight when it stops, and the AI turns it started, are let finish: else they would run inside the timed run.
  await httpLoad(server.url, connections, 1, [request('0', (i) => senderNumber(2000 + (i % 100))).req]);
  await settle(server, peer, opts.settleQuietMs);
  const timed = request('1', from);
  const sentBeforeRun = peer.sent.length;
  const started = performance.now();
  const startedAt = Date.now(); // the peer's clock stamps its creates
  const run = await httpLoad(server.url, connections, seconds, [timed.req]);
  const wallMicros = (performance.now() - started) * 1000;
  const { built, micros } = timed.counter;
  const endedAt = Date.now();
  log(`  ${built} signed webhooks posted (${run.ok} acknowledged); waiting up to ${ANSWER_WAIT_MS / 1000} s for a reply to each…`);
  const answers = await awaitAnswers(peer, sentBeforeRun, FIRST_SENDER, built, run.ok, endedAt);
  const e2e = {
    ...answers,
    /** Webhooks answered at the peer per second, from the start of the burst to the last reply. */
    rate: answers.answered / Math.max(0.001, (answers.lastReplyAt - startedAt) / 1000),
    afterBurstMs: answers.lastReplyAt - endedAt,
  };

  log('  waiting for the replies to settle before the duplicate run…');
  const before = await settle(server, peer, opts.settleQuietMs);
  const sentBefore = peer.sent.length;
  // Re-posts of bodies from the first half of the timed run: long answered, so each was stored before.
  const sample = Array.from({ length: Math.min(DUPLICATES, Math.floor(built / 2)) }, () => Math.floor(Math.random() * (built / 2)));
  let n = 0;
  const dupReq: HttpRequest = {
    method: 'POST',
    path,
    setupRequest: (r) => {
      const i = sample[n++ % sample.length]!;
      const signed = signedInbound(t, sid('1', i), from(i), TEXT);
      return { ...r, headers: { ...r.headers, ...signed.headers }, body: signed.body };
    },
  };
  const dup = await httpLoad(server.url, connections, 2, [dupReq]);
  const after = await settle(server, peer, opts.settleQuietMs);
  const duplicate = { ...dup, sampled: sample.length, posted: n, before, after, sentBefore, sentAfter: peer.sent.length };
  return {
    ...run, built, e2e,
    signMicros: micros / Math.max(1, built),
    signShare: micros / wallMicros,
    signCapacity: signingCapacity(t),
    duplicate,
  };
}

/** How many webhooks this thread can build and sign per second, nothing else running. */
function signingCapacity(t: SmsTarget): number {
  const count = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) signedInbound(t, `SM${i.toString(16).padStart(32, '0')}`, senderNumber(i % 500), TEXT);
  return count / ((performance.now() - t0) / 1000);
}

/** Stored SMS messages and sessions: the sum of the sessions' message_count (contact, AI and system rows alike). */
export async function storedSms(server: Server): Promise<Stored> {
  let sessions = 0;
  let messages = 0;
  let cursor: string | null = null;
  do {
    const page: { items: Array<{ message_count: number }>; next: string | null } = await api(
      server, 'GET', `/chat/sessions?channel_type=sms&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    sessions += page.items.length;
    for (const s of page.items) messages += s.message_count;
    cursor = page.next;
  } while (cursor);
  return { sessions, messages };
}

/**
 * Waits until nothing moves for `quietMs` (stored messages and the replies the peer received alike; the window
 * covers a turn burst) or 60 s pass. Counts taken while AI replies still land would make a duplicate look stored.
 */
export async function settle(server: Server, peer: TwilioPeer, quietMs: number): Promise<Stored> {
  let last = await storedSms(server);
  let sent = peer.sent.length;
  let since = Date.now();
  for (const deadline = Date.now() + 60_000; Date.now() - since < quietMs && Date.now() < deadline; ) {
    await sleep(500);
    const now = await storedSms(server);
    if (now.messages !== last.messages || now.sessions !== last.sessions || peer.sent.length !== sent) {
      [last, sent, since] = [now, peer.sent.length, Date.now()];
    }
  }
  return last;
}

interface Answers {
  /** Senders of the timed run the peer got a reply for. */
  answered: number;
  acknowledged: number;
  /** When the last of them arrived (the peer's clock, ms since the epoch). */
  lastReplyAt: number;
}

/** Waits until `acknowledged` senders first..first+count-1 have a reply at the peer, or 60 s after the burst. */
async function awaitAnswers(peer: TwilioPeer, from: number, first: number, count: number, acknowledged: number, endedAt: number): Promise<Answers> {
  const ours = new Set(Array.from({ length: count }, (_, i) => senderNumber(first + i)));
  const answered = new Set<string>();
  let lastReplyAt = endedAt;
  for (let seen = from; answered.size < acknowledged && Date.now() < endedAt + ANSWER_WAIT_MS; await sleep(50)) {
    for (; seen < peer.sent.length; seen++) {
      const msg = peer.sent[seen]!;
      if (ours.has(msg.to) && !answered.has(msg.to)) {
        answered.add(msg.to);
        lastReplyAt = msg.at.getTime();
      }
    }
  }
  return { answered: answered.size, acknowledged, lastReplyAt };
}
