import { and, asc, desc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../../../src/db/client.ts';
import { agents, attachments, messages, sessions } from '../../../src/db/schema/index.ts';
import type { HistoryEventType } from '../../../src/domain/model/enums.ts';

// A visitor's feed: every message of their sessions on one web channel that a visitor may see, in seq order
// (seq is given at insert, so it orders the feed across sessions too). Internal notes and AI bookkeeping
// (handoff summaries, resolutions) never leave the building.

const VISIBLE_EVENTS: HistoryEventType[] = ['message', 'human_agent_joined', 'status_changed'];

export interface FeedQuery {
  channelId: string;
  contactId: string;
  /** Rows with a higher seq… */
  afterSeq: number;
  /** …or created after this (a transaction that committed late may hold a lower seq than one already sent). */
  alsoSince: Date;
  limit: number;
  /** A fresh page wants the newest `limit` messages, not the oldest. */
  newestFirst?: boolean;
}

export type FeedRow = Awaited<ReturnType<typeof loadFeed>>[number];

export async function loadFeed(db: Db, q: FeedQuery) {
  const visitorSessions = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.contactId, q.contactId), eq(sessions.channelId, q.channelId)));
  const rows = await db
    .select({
      id: messages.id,
      seq: messages.seq,
      sessionId: messages.sessionId,
      createdAt: messages.createdAt,
      sender: messages.sender,
      senderName: messages.senderName,
      agentName: agents.name,
      eventType: messages.eventType,
      text: messages.text,
      externalId: messages.externalId,
      context: messages.context,
    })
    .from(messages)
    .leftJoin(agents, eq(agents.id, messages.agentId))
    .where(
      and(
        inArray(messages.sessionId, visitorSessions),
        eq(messages.private, false),
        inArray(messages.eventType, VISIBLE_EVENTS),
        or(gt(messages.seq, q.afterSeq), gt(messages.createdAt, q.alsoSince)),
      ),
    )
    .orderBy(q.newestFirst ? desc(messages.seq) : asc(messages.seq))
    .limit(q.limit);
  if (q.newestFirst) rows.reverse();
  const files = rows.length
    ? await db
        .select()
        .from(attachments)
        .where(inArray(attachments.messageId, rows.map((r) => r.id)))
        .orderBy(asc(attachments.createdAt), sql`${attachments.id}`)
    : [];
  return rows.map((r) => ({ ...r, files: files.filter((f) => f.messageId === r.id) }));
}
