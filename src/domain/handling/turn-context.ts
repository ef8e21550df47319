import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { KnowledgeArticle, TurnMessage } from '../../ai/responder.ts';
import { VersionedCache } from '../../cache/versioned-cache.ts';
import type { Db } from '../../db/client.ts';
import { contacts, knowledge, messages, organizations, sessions } from '../../db/schema/index.ts';

// What a turn needs, read before the (possibly slow) AI call and outside any transaction: two queries when nothing
// changed — the session with its contact's name and the versions of the organization's knowledge and settings,
// then its recent messages. The knowledge is read again only when its version moved (issue 17: every turn read
// and hashed all of it), and the same array comes back until then, so the index built on it is reused
// (src/ai/knowledge-index.ts).

const HISTORY_LIMIT = 50;

export type SessionRow = typeof sessions.$inferSelect;

export interface TurnContext {
  session: SessionRow;
  contactName: string | null;
  /** The customer's messages still awaiting their turn, oldest first. */
  pending: Array<{ id: string; text: string; at: Date }>;
  history: TurnMessage[];
  knowledge: readonly KnowledgeArticle[];
  failedAttempts: number;
  /** Changes whenever the organization's settings do: the AI settings (and responder) may be reused until then. */
  settingsVersion: string;
}

// The organization's knowledge, per organization. Its version is the count of its rows and the sum of their
// xmin (the id of the transaction that wrote each row version): an insert, an update or a delete changes it,
// whoever makes it, and unlike updated_at it cannot repeat within one millisecond.
// (The outer columns are spelled out, qualified: drizzle leaves a one-table select's columns unqualified.)
const knowledgeCache = new VersionedCache<readonly KnowledgeArticle[]>();
const knowledgeVersion = sql<string>`(select count(*) || ':' || coalesce(sum(k.xmin::text::bigint), 0) from ${knowledge} k where k.org_id = "sessions"."org_id")`;
const settingsVersion = sql<string>`(select md5(o.settings::text) from ${organizations} o where o.id = "sessions"."org_id")`;

export async function loadPending(db: Db, sessionId: string) {
  return db
    .select({ id: messages.id, text: messages.text, at: messages.createdAt })
    .from(messages)
    .where(and(eq(messages.sessionId, sessionId), eq(messages.turnState, 'pending')))
    .orderBy(asc(messages.seq));
}

export async function loadTurnContext(db: Db, sessionId: string, pendingIds: string[]): Promise<TurnContext | null> {
  const [row] = await db
    .select({ session: sessions, contactName: contacts.name, knowledgeVersion, settingsVersion })
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
  const orgId = row.session.orgId;
  const articles = await knowledgeCache.get(orgId, row.knowledgeVersion, async () =>
    // Frozen: every turn of the organization shares it (and the index keyed on it) until the version moves.
    Object.freeze(
      await db.select({ id: knowledge.id, title: knowledge.title, body: knowledge.body, tags: knowledge.tags }).from(knowledge).where(eq(knowledge.orgId, orgId)),
    ),
  );
  return {
    session: row.session,
    contactName: row.contactName,
    pending: await pendingMessages(db, recent, pendingIds),
    history: chat.map((m) => ({ sender: m.sender, text: m.text ?? '', at: m.at })),
    knowledge: articles,
    failedAttempts: countFailedAttempts(chat),
    settingsVersion: row.settingsVersion,
  };
}

/** The pending messages, oldest first: from the recent ones just read, unless a burst was longer than the history. */
async function pendingMessages(db: Db, recent: Array<{ id: string; text: string | null; at: Date }>, ids: string[]) {
  const wanted = new Set(ids);
  const found = recent.filter((m) => wanted.has(m.id)).reverse();
  const rows =
    found.length === wanted.size
      ? found
      : await db.select({ id: messages.id, text: messages.text, at: messages.createdAt }).from(messages).where(inArray(messages.id, ids)).orderBy(asc(messages.seq));
  return rows.map((m) => ({ id: m.id, text: m.text ?? '', at: m.at }));
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
