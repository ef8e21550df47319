import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { attachments, events, messages, sessions } from '../../db/schema/index.ts';
import type { MessageJobRef } from '../../queue/enqueue.ts';
import type { CustomData } from '../contacts/custom-data.ts';
import {
  type HistoryEntry,
  type MessageLine,
  type SessionRef,
  attachmentRows,
  eventNameFor,
  historyRow,
  jobFor,
  messageRow,
} from './message-rows.ts';

// The one code that inserts into `messages` (test/unit/message-writer-only.test.ts keeps it so). Whoever writes a
// message row (ingest and its group commit, the end of an AI turn, routing, the close worker, the sessions API)
// comes here, so what goes with a row is decided once: the session's counters and last_message_at, the event that
// announces it, and the job it needs (turn or dispatch), which the caller hands to the outbox after its commit
// (src/domain/relays/outbox.ts). Callers write inside a transaction that holds the session's row lock, so a
// session's rows get their `seq` (insertion order) in the order they were decided.

export type { HistoryEntry, MessageLine, SessionRef } from './message-rows.ts';

export interface WrittenLine {
  messageId: string;
  /** The job to enqueue once the transaction has committed, if the line needs one. */
  job: MessageJobRef | undefined;
}

/**
 * Lines of the conversation, in the given order (one line, or a group commit's whole batch in a handful of
 * statements): rows and their attachments, each session's message_count, last_message_at and custom_data, and
 * one event per line. Returns, per line, what was written, or undefined where the line's (channel, external id)
 * is stored already: that line changed nothing.
 */
export async function writeLines(tx: Tx, lines: MessageLine[]): Promise<(WrittenLine | undefined)[]> {
  if (lines.length === 0) return [];
  const ids = lines.map(() => randomUUID());
  const stored = await tx
    .insert(messages)
    .values(lines.map((line, i) => messageRow(line, ids[i]!)))
    .onConflictDoNothing()
    .returning({ id: messages.id });
  const kept = new Set(stored.map((r) => r.id));
  const written = lines.flatMap((line, i) => (kept.has(ids[i]!) ? [{ line, id: ids[i]! }] : []));
  if (written.length > 0) {
    const files = written.flatMap(({ line, id }) => attachmentRows(line, id));
    if (files.length > 0) await tx.insert(attachments).values(files);
    await touchSessions(tx, written.map((w) => w.line));
    await tx.insert(events).values(
      written.map(({ line, id }) => ({
        orgId: line.orgId,
        sessionId: line.sessionId,
        type: eventNameFor(line),
        data: { session_id: line.sessionId, message_id: id },
      })),
    );
  }
  return lines.map((line, i) => (kept.has(ids[i]!) ? { messageId: ids[i]!, job: jobFor(line, ids[i]!) } : undefined));
}

/**
 * A line the system says about the session's state (routing's "you are in the queue"): dispatched like any reply,
 * but no turn of the conversation, so neither counted nor its session's activity; announced by the caller's event.
 */
export async function writeNotice(
  tx: Tx,
  line: MessageLine & { sender: 'system' },
  event: { type: string; data: Record<string, unknown> },
): Promise<WrittenLine> {
  const id = randomUUID();
  await tx.insert(messages).values(messageRow(line, id));
  await tx.insert(events).values({
    orgId: line.orgId,
    sessionId: line.sessionId,
    type: event.type,
    data: { session_id: line.sessionId, ...event.data },
  });
  return { messageId: id, job: jobFor(line, id) };
}

/**
 * An entry of the session's history that is not a message (a status change, a handoff, an agent joining or
 * taking over): shown with the messages, never sent, not counted. Its event is the caller's, as what it
 * announces (conversation.closed, conversation.assigned…) is the state change, not the row.
 */
export async function writeHistory(tx: Tx, s: SessionRef, entry: HistoryEntry): Promise<void> {
  await tx.insert(messages).values(historyRow(s, entry));
}

/** One UPDATE for all sessions written to: counts added, activity time, custom_data patches merged in order. */
async function touchSessions(tx: Tx, lines: MessageLine[]): Promise<void> {
  const per = new Map<string, { n: number; customData: CustomData }>();
  for (const line of lines) {
    const entry = per.get(line.sessionId) ?? { n: 0, customData: {} };
    entry.n += 1;
    Object.assign(entry.customData, line.sessionCustomData);
    per.set(line.sessionId, entry);
  }
  const now = new Date().toISOString();
  const rows = [...per].map(([id, e]) => sql`(${id}::uuid, ${e.n}::int, ${JSON.stringify(e.customData)}::jsonb)`);
  await tx.execute(sql`
    update ${sessions} as s
    set message_count = s.message_count + v.n,
        custom_data = s.custom_data || v.custom_data,
        last_message_at = ${now}::timestamptz,
        updated_at = ${now}::timestamptz
    from (values ${sql.join(rows, sql`, `)}) as v(id, n, custom_data)
    where s.id = v.id`);
}
