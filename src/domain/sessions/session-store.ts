import { and, desc, eq, gte, isNull, or, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { contacts, events, organizations, sessions } from '../../db/schema/index.ts';
import type { CustomData } from '../contacts/custom-data.ts';

export interface NewSession {
  orgId: string;
  channelId: string;
  contactId: string;
  externalThreadId?: string | undefined;
  subject?: string | undefined;
  customData?: CustomData | undefined;
  verified?: boolean | undefined;
}

/** Opens a session with the organization's next ticket number, and logs `conversation.started`. */
export async function openSession(tx: Tx, s: NewSession): Promise<string> {
  const [org] = await tx
    .update(organizations)
    .set({ ticketSeq: sql`${organizations.ticketSeq} + 1` })
    .where(eq(organizations.id, s.orgId))
    .returning({ ticketSeq: organizations.ticketSeq });
  const [row] = await tx
    .insert(sessions)
    .values({
      orgId: s.orgId,
      channelId: s.channelId,
      contactId: s.contactId,
      ticketNumber: org!.ticketSeq,
      externalThreadId: s.externalThreadId ?? null,
      subject: s.subject ?? null,
      customData: s.customData ?? {},
      verified: s.verified ?? false,
      // The contact's language (authenticate-user sets it); without one, the first turn that can tell detects it.
      language: sql`(select ${contacts.language} from ${contacts} where ${contacts.id} = ${s.contactId})`,
    })
    .returning({ id: sessions.id });
  await tx.insert(events).values({
    orgId: s.orgId,
    sessionId: row!.id,
    type: 'conversation.started',
    data: { session_id: row!.id, contact_id: s.contactId, channel_id: s.channelId },
  });
  return row!.id;
}

/**
 * The session a new message from this contact on this channel belongs to (same thread when the channel has
 * threads): the open one, else one closed since `reopenSince` (the caller reopens it), else none. The contact
 * row is locked first so two first messages from one person open one session.
 */
export async function findCurrentSession(
  tx: Tx,
  orgId: string,
  channelId: string,
  contactId: string,
  externalThreadId: string | undefined,
  reopenSince: Date,
): Promise<typeof sessions.$inferSelect | undefined> {
  await tx.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, contactId)).for('update');
  const [row] = await tx
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.orgId, orgId),
        eq(sessions.channelId, channelId),
        eq(sessions.contactId, contactId),
        or(eq(sessions.status, 'open'), gte(sessions.closedAt, reopenSince)),
        externalThreadId === undefined
          ? isNull(sessions.externalThreadId)
          : eq(sessions.externalThreadId, externalThreadId),
      ),
    )
    // An open session wins; else the most recently closed.
    .orderBy(sql`${sessions.status} = 'open' desc`, desc(sessions.closedAt))
    .limit(1);
  return row;
}
