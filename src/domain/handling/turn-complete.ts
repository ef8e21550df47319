import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { ResponderOutput } from '../../ai/responder.ts';
import type { Db, Tx } from '../../db/client.ts';
import { events, messages, sessions } from '../../db/schema/index.ts';
import type { MessageJobRef } from '../../queue/enqueue.ts';
import type { ChannelKind } from '../model/enums.ts';
import { type WrittenLine, writeHistory, writeLines } from '../sessions/message-writer.ts';
import { lockSession } from '../sessions/session-commands.ts';
import { writeTags } from '../sessions/session-tags.ts';
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

/** What the turn learned about the session besides its answer. */
export interface TurnNotes {
  /** The customer's language, when the session has none yet. */
  language?: string | null | undefined;
  /** Tags the organization's tag rules give it (AI settings `tag_rules`). */
  tags?: string[] | undefined;
}

export async function completeTurn(
  db: Db,
  s: SessionRow,
  channel: ChannelKind,
  pendingIds: string[],
  outcome: TurnOutcome,
  notes: TurnNotes = {},
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
    // The first turn that can tell the customer's language records it (detectLanguage in src/ai/language.ts).
    if (notes.language && !s.language) {
      await tx.update(sessions).set({ language: notes.language }).where(and(eq(sessions.id, s.id), isNull(sessions.language)));
    }
    if (notes.tags?.some((t) => !s.tags.includes(t))) {
      // Locked and read again: an agent may have changed the tags since the turn loaded the session.
      await writeTags(tx, await lockSession(tx, s.orgId, s.id), { add: notes.tags }, 'rule');
    }
    if (outcome.type === 'human_owns') return effects;

    if (outcome.type === 'reply' || outcome.type === 'resolved') {
      const reply = await addAiReply(tx, s, channel, outcome.text);
      effects.replyId = reply.messageId;
      if (reply.job) effects.dispatch.push(reply.job);
    }
    if (outcome.type === 'resolved') {
      const text = 'The customer confirmed the issue is resolved';
      await writeHistory(tx, s, { eventType: 'ai_resolved_issue', sender: 'system', text });
      await tx
        .update(sessions)
        .set({ status: 'closed_resolved', aiClosureType: 'resolved', closedAt: new Date(), updatedAt: new Date() })
        .where(eq(sessions.id, s.id));
      await logEvent(tx, s, 'conversation.closed', { closed_by: 'ai', ai_resolution_status: 'resolved' });
      effects.closed = true;
    }
    if (outcome.type === 'handoff') {
      await writeHistory(tx, s, { eventType: 'handoff', sender: 'system', text: outcome.why, context: { reason: outcome.reason } });
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

/** The AI's answer: a line of the conversation (counted, announced), dispatched after the commit. */
async function addAiReply(tx: Tx, s: SessionRow, channel: ChannelKind, text: string): Promise<WrittenLine> {
  const line = { orgId: s.orgId, sessionId: s.id, channel: { id: s.channelId, type: channel }, sender: 'ai' as const, text };
  const [reply] = await writeLines(tx, [line]);
  return reply!;
}

async function logEvent(tx: Tx, s: SessionRow, type: string, data: Record<string, unknown>) {
  await tx.insert(events).values({ orgId: s.orgId, sessionId: s.id, type, data: { session_id: s.id, ...data } });
}
