import { and, asc, eq, getTableColumns, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { attachments, channels, contactIdentities, contacts, events, messages, sessions } from '../../db/schema/index.ts';
import { moveDelivery } from './delivery-status.ts';
import type { DeliveryStatus } from '../model/enums.ts';

// Reads and writes of the dispatch step: which replies of a session are due (in order), where they go, and
// what came of each.

/**
 * The session's replies still queued, up to and including the job's own (`messageId`), oldest first (replies
 * leave in order); none when that message is gone. One query: its seq and whether each has files are subselects.
 */
export async function dueReplies(db: Db, sessionId: string, messageId: string) {
  const uptoSeq = sql<number>`(select m.seq from ${messages} m where m.id = ${messageId})`;
  return db
    // "messages"."id" spelled out: drizzle writes a one-table select's columns unqualified, and a bare "id" inside the
    // subselect would be the attachment's own.
    .select({ ...getTableColumns(messages), hasAttachments: sql<boolean>`exists (select 1 from ${attachments} a where a.message_id = "messages"."id")` })
    .from(messages)
    .where(
      and(
        eq(messages.sessionId, sessionId),
        eq(messages.direction, 'out'),
        eq(messages.private, false),
        eq(messages.deliveryStatus, 'queued'),
        lte(messages.seq, uptoSeq),
      ),
    )
    .orderBy(asc(messages.seq))
    .limit(50);
}

/** The channel row and the customer's address on that channel: one query (the identity as a subselect). */
export async function destination(db: Db, sessionId: string) {
  const [row] = await db
    .select({
      session: sessions,
      channel: channels,
      contact: contacts,
      identity: sql<string | null>`(select ci.address from ${contactIdentities} ci where ci.contact_id = "contacts"."id" and ci.channel_type = "channels"."type" limit 1)`,
    })
    .from(sessions)
    .innerJoin(channels, eq(channels.id, sessions.channelId))
    .innerJoin(contacts, eq(contacts.id, sessions.contactId))
    .where(eq(sessions.id, sessionId));
  if (!row) return undefined;
  const { identity, ...rest } = row;
  const address = identity ?? row.contact.email ?? row.contact.phoneNumber ?? row.contact.id;
  return { ...rest, address, name: row.contact.name ?? undefined };
}

/** What came of a send: the status moves forward only (a status callback may have beaten the send's receipt). */
export async function recordDelivery(
  db: Db,
  msg: { id: string; orgId: string; sessionId: string },
  result: { status: DeliveryStatus; externalId?: string | null; error?: string | null },
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: messages.id, orgId: messages.orgId, sessionId: messages.sessionId, deliveryStatus: messages.deliveryStatus, externalId: messages.externalId })
      .from(messages)
      .where(eq(messages.id, msg.id))
      .for('update');
    if (row) await moveDelivery(tx, row, result);
  });
}

/**
 * The "after" of a send, as soon as the provider answers: one statement (one round trip, no transaction held open
 * across awaits, so it does not queue behind other work for long) moves a still-queued reply to the receipt's
 * status with the provider's id and writes its message.status event. When the reply was not queued any more (a
 * status callback beat the receipt), the forward-only rules of recordDelivery apply instead.
 */
export async function recordReceipt(
  db: Db,
  msg: { id: string; orgId: string; sessionId: string },
  receipt: { status: DeliveryStatus; externalId: string },
): Promise<void> {
  const result = await db.execute(sql`
    with moved as (
      update ${messages} set delivery_status = ${receipt.status}, external_id = coalesce(external_id, ${receipt.externalId}), error = null
      where id = ${msg.id} and delivery_status = 'queued'
      returning id, org_id, session_id)
    insert into ${events} (org_id, session_id, type, data)
    select org_id, session_id, 'message.status',
      jsonb_build_object('session_id', session_id, 'message_id', id, 'status', ${receipt.status}::text, 'error', null)
    from moved
    returning id`);
  // postgres-js returns the rows as the result, PGlite as its `rows`.
  const rows = Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? []);
  if (rows.length === 0) await recordDelivery(db, msg, receipt);
}
