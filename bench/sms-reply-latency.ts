import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TwilioPeer } from '../channels/shared/twilio/peer/twilio-peer.ts';
import { paced, percentile } from './load.ts';
import { api, type Server } from './product.ts';
import { senderNumber, signedInbound, type SmsTarget } from './sms-webhook-load.ts';

// (l) SMS reply latency, the whole round trip as a customer sees it: from just before the signed inbound webhook
// is posted to the Twilio peer receiving the REST create that answers it (the AI's reply, sent by dispatch). The
// peer runs in this process and stamps each create with Date.now() when it arrives: one clock, 1 ms resolution.
// Each question comes from its own new number, so no burst coalesces two of them and each reply is attributable
// by its `To`. The server runs with its TURN_BURST_MS: the burst wait is in the figure, as in production.

/** The demo knowledge's shipping article (src/domain/organization/demo-content.ts), added when the organization lacks it. */
const ARTICLE = {
  title: 'Shipping times',
  body:
    'Standard shipping takes 3 to 5 business days and is free over $50. Express shipping takes 1 to 2 business days ' +
    'for $12. Orders placed before 2 pm ship the same day. You get a tracking link by email when your order ships.',
  tags: ['shipping'],
};
const QUESTION = 'How long does shipping take?';
/** What a reply from the article says. */
const ANSWER = '3 to 5 business days';
const WARM_UP = 5;
/** How long after the last post a reply may still come. */
const WAIT_MS = 20_000;

export interface SmsReplyLatency {
  rate: number;
  sent: number;
  acked: number;
  non2xx: number;
  replies: number;
  missing: number;
  fromKnowledge: number;
  /** Post → REST create at the peer (ms). */
  p50: number;
  p99: number;
  max: number;
  /** Post → the webhook's 200 (ms). */
  ackP50: number;
  ackP99: number;
}

export async function smsReplyLatency(server: Server, peer: TwilioPeer, t: SmsTarget, rate: number, seconds: number): Promise<SmsReplyLatency> {
  const { items } = await api(server, 'GET', `/knowledge?q=${encodeURIComponent(ARTICLE.title)}`);
  if ((items as unknown[]).length === 0) await api(server, 'POST', '/knowledge', ARTICLE);
  await measure(peer, t, 2900, WARM_UP, rate); // warm-up: JIT, knowledge index; not counted
  const count = Math.round(rate * seconds);
  const { samples, achieved } = await measure(peer, t, 3000, count, rate);
  const acked = samples.filter((s) => s.ackMs !== undefined);
  const answered = acked.filter((s) => s.replyAt !== undefined);
  const lat = answered.map((s) => s.replyAt! - s.postedAt).sort((a, b) => a - b);
  const ack = acked.map((s) => s.ackMs!).sort((a, b) => a - b);
  return {
    rate: achieved,
    sent: count,
    acked: acked.length,
    non2xx: count - acked.length,
    replies: answered.length,
    missing: acked.length - answered.length,
    fromKnowledge: answered.filter((s) => s.reply?.includes(ANSWER)).length,
    p50: percentile(lat, 0.5),
    p99: percentile(lat, 0.99),
    max: lat.at(-1) ?? Number.NaN,
    ackP50: percentile(ack, 0.5),
    ackP99: percentile(ack, 0.99),
  };
}

interface Sample {
  from: string;
  postedAt: number;
  ackMs?: number;
  replyAt?: number;
  reply?: string;
}

/** Posts `count` questions at `rate`, from numbers first..first+count-1, then waits for the first reply to each. */
async function measure(peer: TwilioPeer, t: SmsTarget, first: number, count: number, rate: number) {
  const tag = randomBytes(4).toString('hex');
  const samples: Sample[] = [];
  const byNumber = new Map<string, Sample>();
  let seen = peer.sent.length; // replies from earlier parts are not ours
  const { rate: achieved } = await paced(rate, count, async (i) => {
    const from = senderNumber(first + i);
    const signed = signedInbound(t, `SM${tag}${i.toString(16).padStart(24, '0')}`, from, QUESTION);
    const s: Sample = { from, postedAt: Date.now() }; // the peer's clock: it stamps creates with new Date()
    samples[i] = s;
    byNumber.set(from, s);
    const t0 = performance.now();
    const res = await fetch(t.inboundUrl, { method: 'POST', ...signed });
    if (res.ok) s.ackMs = performance.now() - t0;
    await res.arrayBuffer();
  });
  for (const deadline = Date.now() + WAIT_MS; samples.some((s) => s.ackMs !== undefined && !s.replyAt) && Date.now() < deadline; ) {
    for (; seen < peer.sent.length; seen++) {
      const msg = peer.sent[seen]!;
      const s = byNumber.get(msg.to);
      if (s && s.replyAt === undefined) Object.assign(s, { replyAt: msg.at.getTime(), reply: msg.body });
    }
    await sleep(20);
  }
  return { samples, achieved };
}
