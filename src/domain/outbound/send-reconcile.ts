import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { messages } from '../../db/schema/index.ts';
import type { ChannelAdapter } from '../model/adapter.ts';
import type { OutboundMessage, SendReceipt } from '../model/messages.ts';

// A reply is marked `sending` in its own commit before the provider call and its receipt recorded right after.
// A process that dies in between leaves the reply queued with `sending_at` set, and nobody knows whether the
// provider took it. Before sending such a reply again, dispatch reconciles, in the order the channel allows
// (ChannelCapabilities.resend): ask the provider by the reference send() set (findSent); wait for the status
// callbacks that carry our id (a reply the provider took is then found sent and never re-sent); or, where the
// receiver drops repeats of our id (web chat, email's Message-ID), simply send again.

/** How long after a send began its provider's status callbacks are awaited before it counts as not taken. */
export const STATUS_REPORT_WAIT_MS = 12_000;

export type Reconciled =
  | { type: 'found'; receipt: SendReceipt }
  | { type: 'wait'; untilMs: number }
  | { type: 'send' };

/** What to do with a reply found queued with sending_at set (`last`: the part whose receipt stands for it). */
export async function reconcileUnknownSend(
  adapter: Pick<ChannelAdapter, 'capabilities' | 'findSent'>,
  last: OutboundMessage,
  sendingAt: Date,
  now: number,
  signal: AbortSignal,
): Promise<Reconciled> {
  if (adapter.findSent) {
    try {
      const receipt = await adapter.findSent(last, sendingAt, signal);
      if (receipt) return { type: 'found', receipt };
      // The provider said it has no such message: sending again cannot duplicate it.
      return { type: 'send' };
    } catch {
      // The provider could not tell (down, rate-limited): fall back to what the channel's callbacks allow.
    }
  }
  if (adapter.capabilities.resend === 'reports') {
    const untilMs = sendingAt.getTime() + STATUS_REPORT_WAIT_MS;
    if (now < untilMs) return { type: 'wait', untilMs };
  }
  return { type: 'send' };
}

/** The "before": this reply is about to be handed to its provider (its own commit, ahead of the call). */
export async function markSending(db: Db, messageId: string): Promise<void> {
  await db
    .update(messages)
    .set({ sendingAt: new Date(), attempts: sql`${messages.attempts} + 1` })
    .where(and(eq(messages.id, messageId), eq(messages.deliveryStatus, 'queued')));
}

/** The provider refused before taking the reply (rate limit): a retry needs no reconciling. */
export async function clearSending(db: Db, messageId: string): Promise<void> {
  await db.update(messages).set({ sendingAt: null }).where(eq(messages.id, messageId));
}
