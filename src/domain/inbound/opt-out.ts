import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { contacts, events } from '../../db/schema/index.ts';
import type { ChannelKind } from '../model/enums.ts';

// A contact who replied STOP on a channel type gets nothing more there until START (carrier rules for SMS,
// and what WhatsApp users expect). The list lives on the contact; dispatch reads it before every send.

export const OPTED_OUT_ERROR = 'opted_out: the contact replied STOP on this channel, so nothing was sent';

export async function setOptedOut(db: Db, orgId: string, contactId: string, channel: ChannelKind, optedOut: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.select({ optedOut: contacts.optedOut }).from(contacts).where(eq(contacts.id, contactId)).for('update');
    if (!row) return;
    const has = row.optedOut.includes(channel);
    if (has === optedOut) return;
    const next = optedOut ? [...row.optedOut, channel] : row.optedOut.filter((c) => c !== channel);
    await tx
      .update(contacts)
      .set({ optedOut: sql`${JSON.stringify(next)}::jsonb`, updatedAt: new Date() })
      .where(eq(contacts.id, contactId));
    await tx.insert(events).values({
      orgId,
      type: optedOut ? 'contact.opted_out' : 'contact.opted_in',
      data: { contact_id: contactId, channel_type: channel },
    });
  });
}
