import { ImapFlow } from 'imapflow';
import type { Logger } from '../../../src/logger.ts';
import { acceptMail, type ImapSettings, type MailChannel, type MailDeps } from './mail-inbound.ts';
import { readCursor, saveCursor } from './mailbox-cursor.ts';

// One poll of one channel's mailbox (docs/email.md, RFC 9051): new mail by UID since the stored cursor, each message
// committed, then flagged \Seen, then the cursor advanced — in that order and one message at a time, so a crash
// costs at most one message fetched twice (and core drops that copy by Message-ID).

export type ImapChannel = MailChannel & { imap: ImapSettings };

export interface SyncOptions {
  /** Larger messages are left in the mailbox, unread, and skipped (logged). */
  maxBytes: number;
  /** Aborting closes the connection: the sync stops at the next IMAP command. */
  signal: AbortSignal;
  logger: Logger;
}

export async function syncImapChannel(deps: MailDeps, channel: ImapChannel, opts: SyncOptions): Promise<{ fetched: number }> {
  const { imap } = channel;
  const client = new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: imap.secure,
    auth: { user: imap.user, pass: imap.pass },
    tls: { rejectUnauthorized: imap.tls_reject_unauthorized },
    logger: false,
    // One short session per poll: no IDLE between our own commands, and a stalled server fails this poll only.
    disableAutoIdle: true,
    connectionTimeout: 30_000,
    socketTimeout: 60_000,
  });
  // imapflow emits socket errors as events; the pending command rejects as well, which is what we act on.
  client.on('error', (err: Error) => opts.logger.debug({ err: err.message, channelId: channel.id }, 'imap connection error'));
  const abort = () => client.close();
  opts.signal.addEventListener('abort', abort, { once: true });
  try {
    await client.connect();
    const fetched = await syncMailbox(deps, channel, client, opts);
    await client.logout();
    return { fetched };
  } finally {
    opts.signal.removeEventListener('abort', abort);
    client.close();
  }
}

async function syncMailbox(deps: MailDeps, channel: ImapChannel, client: ImapFlow, opts: SyncOptions): Promise<number> {
  const mailbox = channel.imap.mailbox;
  const lock = await client.getMailboxLock(mailbox);
  try {
    if (!client.mailbox) throw new Error(`mailbox ${mailbox} is not open`);
    const { exists, uidNext } = client.mailbox;
    const uidValidity = Number(client.mailbox.uidValidity);
    const cursor = await readCursor(deps.db, channel.id, mailbox);
    // A mailbox we have not read before (or whose UIDs were renumbered: a new UIDVALIDITY) is read for its unread
    // mail only: connecting a team's existing mailbox must not answer years of old mail. Core keeps one copy per
    // Message-ID, so re-reading after a renumbering stores nothing twice.
    const resync = cursor === undefined || cursor.uidValidity !== uidValidity;
    if (resync) {
      if (cursor) opts.logger.warn({ channelId: channel.id, mailbox, was: cursor.uidValidity, now: uidValidity }, 'UIDVALIDITY changed: resyncing mailbox');
      await saveCursor(deps.db, channel.id, mailbox, { uidValidity, lastUid: 0 });
    }
    const lastUid = resync ? 0 : cursor.lastUid;
    // After a read of the unread mail, everything below UIDNEXT (as it was when the mailbox was opened) is behind us.
    const settle = async () => {
      if (resync && typeof uidNext === 'number' && uidNext > 1) await saveCursor(deps.db, channel.id, mailbox, { uidValidity, lastUid: uidNext - 1 });
    };
    if (exists === 0 || (typeof uidNext === 'number' && uidNext <= lastUid + 1)) {
      await settle();
      return 0;
    }

    let fetched = 0;
    for (const { uid, size } of await newMessages(client, lastUid, resync)) {
      if (opts.signal.aborted) break;
      if (size !== undefined && size > opts.maxBytes) {
        opts.logger.warn({ channelId: channel.id, mailbox, uid, size, maxBytes: opts.maxBytes }, 'IMAP message over the size limit: left unread in the mailbox');
      } else {
        const message = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
        if (message && message.source) {
          await acceptMail(deps, channel, message.source, { transport: 'imap', rcptTo: [] });
          await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
          fetched++;
        }
      }
      await saveCursor(deps.db, channel.id, mailbox, { uidValidity, lastUid: uid });
    }
    if (!opts.signal.aborted) await settle();
    return fetched;
  } finally {
    lock.release();
  }
}

/**
 * UIDs above `lastUid` (or every unread one), ascending, with their sizes. `n:*` always includes the highest UID even when it is below n
 * (RFC 3501 §6.4.8: `*` is the largest UID in use), so those are filtered out here.
 */
async function newMessages(client: ImapFlow, lastUid: number, unreadOnly: boolean): Promise<Array<{ uid: number; size: number | undefined }>> {
  const found: Array<{ uid: number; size: number | undefined }> = [];
  const range = unreadOnly ? { seen: false } : `${lastUid + 1}:*`;
  for await (const m of client.fetch(range, { uid: true, size: true }, { uid: true })) {
    if (m.uid > lastUid) found.push({ uid: m.uid, size: m.size });
  }
  return found.sort((a, b) => a.uid - b.uid);
}
