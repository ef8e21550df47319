import { and, asc, desc, eq, gt, inArray } from 'drizzle-orm';
import type { Db } from '../../../src/db/client.ts';
import { agents, messages, sessions, teams } from '../../../src/db/schema/index.ts';

// Reads and claims of a phone call's session (the session whose thread id is the provider's call id).

export async function findCallSession(db: Db, channelId: string, callId: string) {
  const [row] = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.channelId, channelId), eq(sessions.externalThreadId, callId)))
    .orderBy(desc(sessions.createdAt))
    .limit(1);
  return row;
}

/** The stored utterance of a turn, by its provider key `<callId>:<turn>`. */
export async function findUtterance(db: Db, channelId: string, externalId: string) {
  const [row] = await db
    .select({ sessionId: messages.sessionId, seq: messages.seq, turnState: messages.turnState })
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.externalId, externalId)))
    .limit(1);
  return row;
}

export async function turnDone(db: Db, sessionId: string, afterSeq: number): Promise<boolean> {
  // The caller's utterance and anything they said since must have had their turn.
  const pending = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.sessionId, sessionId), eq(messages.direction, 'in'), eq(messages.turnState, 'pending'), gt(messages.seq, afterSeq - 1)))
    .limit(1);
  return pending.length === 0;
}

/**
 * Takes the session's replies that nobody has spoken yet (a late one from an earlier turn included), marking them
 * delivered: the answer that speaks them is their delivery. A conditional update, so two concurrent webhooks
 * never speak one reply twice.
 */
export async function claimReplies(db: Db, sessionId: string): Promise<string[]> {
  const claimed = await db
    .update(messages)
    .set({ deliveryStatus: 'delivered' })
    .where(
      and(
        eq(messages.sessionId, sessionId),
        eq(messages.direction, 'out'),
        eq(messages.private, false),
        inArray(messages.deliveryStatus, ['queued', 'sent']),
      ),
    )
    .returning({ seq: messages.seq, text: messages.text });
  return claimed
    .sort((a, b) => a.seq - b.seq)
    .map((m) => m.text ?? '')
    .filter((t) => t.trim() !== '');
}

/** Where a handed-off call goes: the assigned agent's phone, else the team's queue (or the general one). */
export async function transferTarget(db: Db, sessionId: string): Promise<{ number: string } | { queue: string } | undefined> {
  const [row] = await db
    .select({ handledBy: sessions.handledBy, phone: agents.phoneNumber, team: teams.name })
    .from(sessions)
    .leftJoin(agents, eq(agents.id, sessions.assigneeId))
    .leftJoin(teams, eq(teams.id, sessions.teamId))
    .where(eq(sessions.id, sessionId))
    .orderBy(asc(sessions.createdAt));
  if (!row || row.handledBy !== 'human') return undefined;
  if (row.phone) return { number: row.phone };
  return { queue: row.team ?? 'support' };
}
