import { type SQL, and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, ne, notInArray, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { keysetPage, type TimeIdCursor, timeIdKeyset } from '../../db/keyset.ts';
import { agents, attachments, channels, contactIdentities, contacts, messages, sessions, teams } from '../../db/schema/index.ts';
import { NotFoundError } from '../../errors.ts';
import type { CustomData } from '../contacts/custom-data.ts';
import { type ChannelKind, type Priority, type Sentiment, type SessionStatus, SWITCHBOARD_HISTORY_EVENT_TYPES } from '../model/enums.ts';
import { normalizeTag } from './session-tags.ts';
import type { HistoryRecord, SessionRecord } from './session-views.ts';

// Reads for the chat-sessions API. Every query is scoped by org id: another organization's row is "not found".

/** Newest activity: a session without messages counts from its creation. */
export const activityAt = sql`coalesce(${sessions.lastMessageAt}, ${sessions.createdAt})`;
/** The list's order: newest activity first. */
const byActivity = timeIdKeyset(activityAt, sessions.id, 'desc');

export interface SessionFilters {
  statuses?: SessionStatus[] | undefined;
  channelTypes?: ChannelKind[] | undefined;
  sentiments?: Sentiment[] | undefined;
  priorities?: Priority[] | undefined;
  assigneeIds?: string[] | undefined;
  teamIds?: string[] | undefined;
  contactIds?: string[] | undefined;
  handedOff?: boolean | undefined;
  /** true: no assignee; false: some assignee. */
  unassigned?: boolean | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
  updatedAfter?: Date | undefined;
  updatedBefore?: Date | undefined;
  customData?: CustomData | undefined;
  /** Sessions carrying any of these tags (normalized, see session-tags.ts). */
  tags?: string[] | undefined;
  /** Free text: subject, contact name or email, message text. */
  q?: string | undefined;
}

/** The WHERE of a session list (org scope included). */
export function sessionWhere(orgId: string, f: SessionFilters): SQL {
  const conds: (SQL | undefined)[] = [eq(sessions.orgId, orgId)];
  const anyOf = <T>(col: Parameters<typeof inArray>[0], v: T[] | undefined) => (v?.length ? inArray(col, v) : undefined);
  conds.push(anyOf(sessions.status, f.statuses), anyOf(channels.type, f.channelTypes));
  conds.push(anyOf(sessions.sentiment, f.sentiments), anyOf(sessions.assigneeId, f.assigneeIds));
  conds.push(anyOf(sessions.teamId, f.teamIds), anyOf(sessions.contactId, f.contactIds));
  conds.push(anyOf(sessions.priority, f.priorities));
  if (f.handedOff !== undefined) conds.push(eq(sessions.handedOff, f.handedOff));
  if (f.unassigned !== undefined) conds.push(f.unassigned ? isNull(sessions.assigneeId) : isNotNull(sessions.assigneeId));
  if (f.createdAfter) conds.push(gte(sessions.createdAt, f.createdAfter));
  if (f.createdBefore) conds.push(lt(sessions.createdAt, f.createdBefore));
  if (f.updatedAfter) conds.push(gte(sessions.updatedAt, f.updatedAfter));
  if (f.updatedBefore) conds.push(lt(sessions.updatedAt, f.updatedBefore));
  if (f.tags?.length) {
    // `&&` (overlap) uses the GIN index; an ARRAY[…] of parameters, so both drivers bind it the same way.
    const wanted = sql.join(f.tags.map((t) => sql`${normalizeTag(t)}`), sql`, `);
    conds.push(sql`${sessions.tags} && ARRAY[${wanted}]::text[]`);
  }
  if (f.customData && Object.keys(f.customData).length) {
    conds.push(sql`${sessions.customData} @> ${JSON.stringify(f.customData)}::jsonb`);
  }
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    conds.push(
      or(
        sql`${sessions.subject} ilike ${like}`,
        sql`${contacts.name} ilike ${like}`,
        sql`${contacts.email} ilike ${like}`,
        sql`exists (select 1 from ${messages} where ${messages.sessionId} = ${sessions.id} and ${messages.text} ilike ${like})`,
      ),
    );
  }
  return and(...conds)!;
}

/** Sessions with channel, contact and team, in the given order; identities are fetched in one more query. */
async function loadSessions(db: Db | Tx, where: SQL, order: SQL[], limit: number, offset = 0) {
  const rows = await db
    .select({
      session: sessions,
      channel: { id: channels.id, type: channels.type },
      contact: contacts,
      team: { id: teams.id, name: teams.name, description: teams.description },
      sortKey: byActivity.sortKey,
    })
    .from(sessions)
    .innerJoin(channels, eq(channels.id, sessions.channelId))
    .innerJoin(contacts, eq(contacts.id, sessions.contactId))
    .leftJoin(teams, and(eq(teams.id, sessions.teamId), eq(teams.orgId, sessions.orgId)))
    .where(where)
    .orderBy(...order)
    .limit(limit)
    .offset(offset);
  const contactIds = [...new Set(rows.map((r) => r.contact.id))];
  const idents = contactIds.length
    ? await db
        .select({
          contactId: contactIdentities.contactId,
          channelType: contactIdentities.channelType,
          address: contactIdentities.address,
        })
        .from(contactIdentities)
        .where(inArray(contactIdentities.contactId, contactIds))
        .orderBy(asc(contactIdentities.createdAt))
    : [];
  return rows.map((r) => {
    const identities = idents.filter((i) => i.contactId === r.contact.id);
    // A left join without a team yields a team object of nulls.
    const record: SessionRecord = { ...r, team: r.team?.id ? r.team : null, identities };
    return { record, sortKey: r.sortKey };
  });
}

export async function getSession(db: Db | Tx, orgId: string, sessionId: string): Promise<SessionRecord> {
  const [row] = await loadSessions(db, and(eq(sessions.orgId, orgId), eq(sessions.id, sessionId))!, [], 1);
  if (!row) throw new NotFoundError('Chat session');
  return row.record;
}

/** Keyset position in the newest-activity-first list: the activity time (ISO, UTC, µs) and the id. */
export type SessionCursor = TimeIdCursor;

/** `GET /chat/sessions`: newest activity first, keyset paginated (stable under inserts). */
export async function listSessions(db: Db, orgId: string, f: SessionFilters, limit: number, after?: SessionCursor) {
  const rows = await loadSessions(db, and(sessionWhere(orgId, f), byActivity.after(after))!, byActivity.orderBy, limit + 1);
  const page = keysetPage(rows, limit, (last): SessionCursor => [last.sortKey, last.record.session.id]);
  return { items: page.rows.map((r) => r.record), next: page.next };
}

export interface PageRequest {
  sortBy: 'last_message_at' | 'created_at';
  sortOrder: 'asc' | 'desc';
  page: number;
  limit: number;
}

/** `POST /chat/sessions/filter`: page-numbered. */
export async function filterSessions(db: Db, orgId: string, f: SessionFilters, p: PageRequest) {
  const key = p.sortBy === 'created_at' ? sessions.createdAt : activityAt;
  const dir = p.sortOrder === 'asc' ? asc : desc;
  const order = [dir(key), dir(sessions.id)];
  const rows = await loadSessions(db, sessionWhere(orgId, f), order, p.limit + 1, (p.page - 1) * p.limit);
  return { items: rows.slice(0, p.limit).map((r) => r.record), hasNext: rows.length > p.limit };
}

/** `GET …/history`: oldest first, keyset on the insertion sequence. */
export async function listHistory(
  db: Db,
  orgId: string,
  sessionId: string,
  opts: { limit: number; after?: [seq: number] | undefined; includeStatusChanges: boolean },
) {
  const [found] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.orgId, orgId), eq(sessions.id, sessionId)));
  if (!found) throw new NotFoundError('Chat session');
  const rows = await db
    .select({ message: messages, agent: { number: agents.number, openId: agents.openAgentId, name: agents.name } })
    .from(messages)
    .leftJoin(agents, and(eq(agents.id, messages.agentId), eq(agents.orgId, messages.orgId)))
    .where(
      and(
        eq(messages.orgId, orgId),
        eq(messages.sessionId, sessionId),
        opts.after ? gt(messages.seq, opts.after[0]) : undefined,
        opts.includeStatusChanges ? undefined : notInArray(messages.eventType, [...SWITCHBOARD_HISTORY_EVENT_TYPES]),
      ),
    )
    .orderBy(asc(messages.seq))
    .limit(opts.limit + 1);
  const { rows: page, next } = keysetPage(rows, opts.limit, (last): [seq: number] => [last.message.seq]);
  const messageIds = page.map((r) => r.message.id);
  const files = messageIds.length
    ? await db.select().from(attachments).where(inArray(attachments.messageId, messageIds)).orderBy(asc(attachments.createdAt))
    : [];
  const items: HistoryRecord[] = page.map((r) => ({
    message: r.message,
    agent: r.agent?.number != null ? r.agent : null,
    attachments: files.filter((a) => a.messageId === r.message.id),
  }));
  return { items, next };
}
