import { setTimeout as sleep } from 'node:timers/promises';
import type postgres from 'postgres';
import type { TwilioPeer } from '../../channels/shared/twilio/peer/twilio-peer.ts';
import { twilioSid } from '../../channels/shared/twilio/peer/sids.ts';
import { QUESTION, SHOP } from '../chaos/chaos-run.ts';

// The customers of a topology run, and the load balancer in front of the api processes. Each conversation asks,
// waits for its answer, thinks a moment and asks again, so "answered once, in order" can be read off its history.
// Messages go round-robin to the api processes; one that refuses or drops the connection is skipped from then on
// and the message is delivered to the next, as a load balancer with a health check (and Twilio's retries) would.

export interface Api {
  url: string;
  acked: { before: number; after: number };
  down: boolean;
}

export interface Balancer {
  apis: Api[];
  /** Whether the kill has happened (acks count as `after` from then on). */
  killed: boolean;
}

export interface Conversation {
  label: string;
  /** How many replies it has received so far (SMS: texts the peer got; API: delivered AI messages). */
  answers(): Promise<number>;
  /** Delivers question `k` (1-based) through the balancer: resolves once an api process acknowledged it. */
  ask(k: number): Promise<void>;
}

/**
 * Sends through the next api process that is up until one acknowledges. `attempt` marks a process whose connection
 * failed as down (in this run only a kill makes one fail).
 */
async function deliver(lb: Balancer, attempt: (api: Api) => Promise<boolean>, start: number): Promise<void> {
  for (let i = start; i < start + 100; i++) {
    const up = lb.apis.filter((a) => !a.down);
    if (up.length === 0) throw new Error('no api process is up');
    const api = up[i % up.length]!;
    if (await attempt(api)) {
      api.acked[lb.killed ? 'after' : 'before']++;
      return;
    }
    await sleep(100);
  }
  throw new Error('no api process acknowledged the message in 100 attempts');
}

let turn = 0;

/** A customer of the API channel: POST /chat/sessions/{id}/send as the contact. */
export function apiConversation(lb: Balancer, sql: postgres.Sql, key: string, sessionId: string): Conversation {
  const stored = async (sender: 'contact' | 'ai') => {
    const delivered = sender === 'ai' ? sql`and delivery_status = 'delivered'` : sql``;
    const [row] = await sql<[{ n: number }]>`
      select count(*)::int as n from messages
      where session_id = ${sessionId} and event_type = 'message' and sender = ${sender} ${delivered}`;
    return row.n;
  };
  return {
    label: `api:${sessionId}`,
    answers: () => stored('ai'),
    ask: (k) =>
      deliver(
        lb,
        async (api) => {
          try {
            const res = await fetch(`${api.url}/chat/sessions/${sessionId}/send`, {
              method: 'POST',
              headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
              body: JSON.stringify({ sender: 'contact', message: { type: 'text', text: QUESTION } }),
              signal: AbortSignal.timeout(10_000),
            });
            return res.status === 201;
          } catch {
            // The process died with the request open: it may have committed the message first. A client would read
            // the history to tell; the run reads the database, the same thing without another route.
            api.down = true;
            await sleep(500);
            return (await stored('contact')) >= k;
          }
        },
        turn++,
      ),
  };
}

/** A customer texting the shop: signed SMS webhooks from the Twilio peer, re-posted with the same sid until a 2xx. */
export function smsConversation(lb: Balancer, peer: TwilioPeer, webhookPath: string, from: string): Conversation & { sids: string[] } {
  const sids: string[] = [];
  return {
    label: `sms:${from}`,
    sids,
    answers: async () => peer.sent.filter((s) => s.to === from).length,
    ask: () => {
      const messageSid = twilioSid('SM');
      sids.push(messageSid);
      return deliver(
        lb,
        async (api) => {
          try {
            const res = await peer.sendInbound(`${api.url}${webhookPath}`, { from, to: SHOP, body: QUESTION, messageSid });
            return res.status >= 200 && res.status < 300;
          } catch {
            api.down = true;
            return false;
          }
        },
        turn++,
      );
    },
  };
}

/**
 * Runs one conversation of `n` questions: each asked once the previous one is answered (within `answerMs`).
 * Resolves with how many were answered; `onAnswer` is called after each.
 */
export async function converse(c: Conversation, n: number, answerMs: number, onAnswer: () => void): Promise<number> {
  for (let k = 1; k <= n; k++) {
    await c.ask(k);
    const deadline = Date.now() + answerMs;
    while ((await c.answers()) < k) {
      if (Date.now() > deadline) return k - 1;
      await sleep(100);
    }
    onAnswer();
    await sleep(200 + Math.random() * 400);
  }
  return n;
}
