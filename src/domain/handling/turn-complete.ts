import { and, eq, inArray, sql } from 'drizzle-orm';
import type { ResponderOutput } from '../../ai/responder.ts';
import type { Db, Tx } from '../../db/client.ts';
import { events, messages, sessions } from '../../db/schema/index.ts';
import type { MessageJobRef } from '../../queue/enqueue.ts';
import type { ChannelKind } from '../model/enums.ts';
import { messageRow } from '../inbound/ingest-rows.ts';
import type { SessionRow } from './turn-context.ts';

// The end of a turn, in one transaction: the customer's pending messages are marked done together with what
// answers them (an AI reply, a handoff, or the AI closing a resolved session). A worker that dies before the
// commit leaves the messages pending, so the retry answers them once; one that dies after finds nothing to do.

export interface TurnEffects {
  dispatch: MessageJobRef[];
  route: boolean;
  closed: boolean;
  replyId: string | null;
}

export type TurnOutcome = ResponderOutput | { type: 'human_owns' };

export async function completeTurn(
  db: Db,
  s: SessionRow,
  channel: ChannelKind,
  pendingIds: string[],
  outcome: TurnOutcome,
): Promise<TurnEffects | null> {
  return db.transaction(async (tx) => {
    const done = await tx
      .update(messages)
      .set({ turnState: 'done' })
      .where(and(inArray(messages.id, pendingIds), eq(messages.turnState, 'pending')))
      .returning({ id: messages.id });
    // Another worker answered these already (a retry after a crash past the commit): nothing more to do.
    if (done.length === 0) return null;
    const effects: TurnEffects = { dispatch: [], route: false, closed: false, replyId: null };
    if (outcome.type === 'human_owns') return effects;

    if (outcome.type === 'reply' || outcome.type === 'resolved') {
      effects.replyId = await addAiReply(tx, s, outcome.text);
      effects.dispatch.push({ queue: 'dispatch', orgId: s.orgId, sessionId: s.id, messageId: effects.replyId, channel });
    }
    if (outcome.type === 'resolved') {
      await addHistory(tx, s, 'ai_resolved_issue', 'The customer confirmed the issue is resolved');
      await tx
        .update(sessions)
        .set({ status: 'closed_resolved', aiClosureType: 'resolved', closedAt: new Date(), updatedAt: new Date() })
        .where(eq(sessions.id, s.id));
      await logEvent(tx, s, 'conversation.closed', { closed_by: 'ai', ai_resolution_status: 'resolved' });
      effects.closed = true;
    }
    if (outcome.type === 'handoff') {
      await addHistory(tx, s, 'handoff', outcome.why, { reason: outcome.reason });
      await tx
        .update(sessions)
        .set({
          handedOff: true,
          handledBy: 'human',
          aiClosureType: 'handed_off',
          handoff: { summary: outcome.summary, ...(outcome.sentiment ? { sentiment: outcome.sentiment } : {}) },
          ...(outcome.sentiment ? { sentiment: outcome.sentiment } : {}),
          updatedAt: new Date(),
        })
        .where(eq(sessions.id, s.id));
      await logEvent(tx, s, 'conversation.handoff_to_human', { reason: outcome.reason, summary: outcome.summary });
      effects.route = true;
    }
    return effects;
  });
}

async function addAiReply(tx: Tx, s: SessionRow, text: string): Promise<string> {
  const input = { orgId: s.orgId, sessionId: s.id, sender: 'ai' as const, text };
  const [row] = await tx
    .insert(messages)
    .values(messageRow(input, { sessionId: s.id, channelId: s.channelId }))
    .returning({ id: messages.id });
  await tx
    .update(sessions)
    .set({ lastMessageAt: new Date(), updatedAt: new Date(), messageCount: sql`${sessions.messageCount} + 1` })
    .where(eq(sessions.id, s.id));
  await logEvent(tx, s, 'conversation.ai_response', { message_id: row!.id });
  return row!.id;
}

async function addHistory(tx: Tx, s: SessionRow, eventType: 'handoff' | 'ai_resolved_issue', text: string, context?: object) {
  await tx.insert(messages).values({
    orgId: s.orgId,
    sessionId: s.id,
    channelId: s.channelId,
    direction: 'out',
    sender: 'system',
    type: 'event',
    eventType,
    text,
    context: (context ?? null) as Record<string, unknown> | null,
  });
}

async function logEvent(tx: Tx, s: SessionRow, type: string, data: Record<string, unknown>) {
  await tx.insert(events).values({ orgId: s.orgId, sessionId: s.id, type, data: { session_id: s.id, ...data } });
}
