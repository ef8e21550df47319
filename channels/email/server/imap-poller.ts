import { listImapChannels, type MailDeps } from './mail-inbound.ts';
import { syncImapChannel } from './imap-mailbox-sync.ts';

// Polls the mailboxes of email channels that keep their own (IMAP), each at its channel's poll_seconds. Polls run
// one after the other, never overlapping: two at once would fetch the same new mail twice before either advanced
// the cursor. The only state is the timer and when each channel was last polled; the cursors live in the database.

export interface ImapPollerOptions {
  /** Poll every channel at this interval instead of at each channel's poll_seconds (tests, one-off runs). */
  intervalMs?: number;
  /** Messages over this size are left unread in the mailbox (default 25 MB, the channel config's default). */
  maxBytes?: number;
}

export interface ImapPoller {
  /** One poll of every channel, now (after the poll in progress, if any); resolves when it is done. */
  pollNow(): Promise<void>;
  /** Stops the timer and aborts the poll in progress; resolves once it has stopped. */
  close(): Promise<void>;
}

/** How often the timer looks for channels that are due: the smallest poll_seconds a channel may have. */
const TICK_MS = 5_000;
const DEFAULT_MAX_BYTES = 25 * 1024 * 1024;

export function startImapPolling(deps: MailDeps, opts: ImapPollerOptions = {}): ImapPoller {
  const log = deps.logger.child({ component: 'imap-poller' });
  const lastPolledAt = new Map<string, number>();
  const stop = new AbortController();
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  async function pollDue(force: boolean): Promise<void> {
    const channels = await listImapChannels(deps);
    for (const channel of channels) {
      if (stop.signal.aborted) return;
      const dueAt = (lastPolledAt.get(channel.id) ?? 0) + channel.imap.poll_seconds * 1000;
      if (!force && opts.intervalMs === undefined && Date.now() < dueAt) continue;
      lastPolledAt.set(channel.id, Date.now());
      try {
        const { fetched } = await syncImapChannel(deps, channel, { maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES, signal: stop.signal, logger: log });
        if (fetched > 0) log.info({ channelId: channel.id, fetched }, 'fetched mail over IMAP');
      } catch (err) {
        // One unreachable or misconfigured mailbox must not hold up the other channels.
        if (!stop.signal.aborted) log.warn({ err, channelId: channel.id, host: channel.imap.host }, 'IMAP poll failed');
      }
    }
  }

  const enqueue = (force: boolean): Promise<void> => {
    chain = chain.then(() => pollDue(force)).catch((err: unknown) => log.error({ err }, 'IMAP poll failed'));
    return chain;
  };

  const schedule = () => {
    if (stop.signal.aborted) return;
    timer = setTimeout(() => void enqueue(false).then(schedule), opts.intervalMs ?? TICK_MS);
    timer.unref();
  };
  schedule();

  return {
    pollNow: () => enqueue(true),
    close: async () => {
      stop.abort();
      clearTimeout(timer);
      await chain;
    },
  };
}
