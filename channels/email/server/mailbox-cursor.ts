import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../src/db/client.ts';
import { mailboxCursors } from '../../../src/db/schema/mail.ts';

// How far IMAP polling has read one mailbox of one channel. In the database, not in memory, so a restarted (or
// another) poller neither fetches committed mail again nor skips any.

export interface MailboxCursor {
  uidValidity: number;
  /** Highest UID committed under that UIDVALIDITY (0 = none yet). */
  lastUid: number;
}

export async function readCursor(db: Db, channelId: string, mailbox: string): Promise<MailboxCursor | undefined> {
  const [row] = await db
    .select({ uidValidity: mailboxCursors.uidValidity, lastUid: mailboxCursors.lastUid })
    .from(mailboxCursors)
    .where(and(eq(mailboxCursors.channelId, channelId), eq(mailboxCursors.mailbox, mailbox)));
  return row;
}

export async function saveCursor(db: Db, channelId: string, mailbox: string, cursor: MailboxCursor): Promise<void> {
  await db
    .insert(mailboxCursors)
    .values({ channelId, mailbox, ...cursor })
    .onConflictDoUpdate({
      target: [mailboxCursors.channelId, mailboxCursors.mailbox],
      set: { uidValidity: cursor.uidValidity, lastUid: cursor.lastUid, updatedAt: sql`now()` },
    });
}
