import { bigint, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { updatedAt } from './columns.ts';
import { channels } from './channels.ts';

/**
 * How far IMAP polling has read a mailbox: the UIDVALIDITY it saw and the last UID it committed. Kept in the
 * database so a restart (or another process) neither re-reads nor skips mail.
 */
export const mailboxCursors = pgTable(
  'mailbox_cursors',
  {
    channelId: uuid('channel_id').notNull().references(() => channels.id, { onDelete: 'cascade' }),
    mailbox: text('mailbox').notNull(),
    uidValidity: bigint('uid_validity', { mode: 'number' }).notNull(),
    lastUid: bigint('last_uid', { mode: 'number' }).notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.mailbox] })],
);
