import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { KnowledgeArticle, TurnMessage } from '../../ai/responder.ts';
import type { Db } from '../../db/client.ts';
import { contacts, knowledge, messages, sessions } from '../../db/schema/index.ts';

// What a turn needs, read before the (possibly slow) AI call and outside any transaction.

const HISTORY_LIMIT = 50;

export type SessionRow = typeof sessions.$inferSelect;

export interface TurnContext {
  session: SessionRow;
  contactName: string | null;
  /** The customer's messages still awaiting their turn, oldest first. */
  pending: Array<{ id: string; text: string; at: Date }>;
  history: TurnMessage[];
  knowledge: KnowledgeArticle[];
  failedAttempts: number;
}

export async function loadPending(db: Db, sessionId: string) {
  return db
    .select({ id: messages.id, text: messages.text, at: messages.createdAt })
    .from(messages)
    .where(and(eq(messages.sessionId, sessionId), eq(messages.turnState, 'pending')))
    .orderBy(asc(messages.seq));
}

export async function loadTurnContext(db: Db, sessionId: string, pendingIds: string[]): Promise<TurnContext | null> {
  const [row] = await db
    .select({ session: sessions, contactName: contacts.name })
    .from(sessions)
    .innerJoin(contacts, eq(contacts.id, sessions.contactId))
    .where(eq(sessions.id, sessionId));
  if (!row) return null;
  const recent = await db
    .select({ id: messages.id, sender: messages.sender, text: messages.text, at: messages.createdAt, eventType: messages.eventType })
    .from(messages)
    .where(and(eq(messages.sessionId, sessionId), eq(messages.private, false)))
    .orderBy(desc(messages.seq))
    .limit(HISTORY_LIMIT);
  const chat = recent.filter((m) => m.eventType === 'message').reverse();
  const articles = await db
    .select({ id: knowledge.id, title: knowledge.title, body: knowledge.body, tags: knowledge.tags })
    .from(knowledge)
    .where(eq(knowledge.orgId, row.session.orgId));
  const pendingRows = pendingIds.length
    ? await db.select({ id: messages.id, text: messages.text, at: messages.createdAt }).from(messages).where(inArray(messages.id, pendingIds)).orderBy(asc(messages.seq))
    : [];
  return {
    session: row.session,
    contactName: row.contactName,
    pending: pendingRows.map((m) => ({ id: m.id, text: m.text ?? '', at: m.at })),
    history: chat.map((m) => ({ sender: m.sender, text: m.text ?? '', at: m.at })),
    knowledge: articles,
    failedAttempts: countFailedAttempts(chat),
  };
}

/**
 * "Repeated failure": AI replies the customer kept asking after, counted back from the end of the conversation
 * until an agent spoke. Each AI reply followed by another customer message counts once.
 */
function countFailedAttempts(chat: Array<{ sender: string }>): number {
  let failed = 0;
  for (let i = chat.length - 1; i > 0; i--) {
    const m = chat[i]!;
    if (m.sender === 'agent') break;
    if (m.sender === 'contact' && chat[i - 1]!.sender === 'ai') failed++;
  }
  return failed;
}
