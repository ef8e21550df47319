import { and, eq } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import { sessions } from '../../db/schema/index.ts';
import { NotFoundError } from '../../errors.ts';
import type { TypingSender } from '../model/adapter.ts';
import { buildAdapter } from '../channels/channel-adapter.ts';
import { liveChannel } from '../channels/live-channels.ts';
import { destination } from '../outbound/dispatch-store.ts';

// "Typing…" shown to the customer, where their channel has such a thing (the adapter's optional `typing`).
// Never stored; best effort: a failure is logged and forgotten.

type TypingDeps = Pick<Deps, 'db' | 'secrets' | 'adapterDeps' | 'logger' | 'channels' | 'liveChannels'>;

export async function showTyping(
  deps: TypingDeps,
  session: { id: string; channelId: string },
  sender: TypingSender,
  active = true,
): Promise<void> {
  const sessionId = session.id;
  try {
    // Most channels have no typing indicator (SMS, email): ask the channel's adapter (cached, no query) first.
    const channel = await liveChannel(deps, session.channelId);
    if (!channel || !buildAdapter(deps, channel)?.typing) return;
    const dest = await destination(deps.db, sessionId);
    if (!dest) return;
    await buildAdapter(deps, dest.channel)?.typing?.({ address: dest.address, contactId: dest.contact.id }, sender, active);
  } catch (err) {
    deps.logger.debug({ err: (err as Error).message, sessionId }, 'typing indicator not shown');
  }
}

/** The API's variant: the session must be the organization's (404 otherwise). */
export async function showAgentTyping(deps: TypingDeps, orgId: string, sessionId: string, name: string | null, active: boolean) {
  const [row] = await deps.db
    .select({ id: sessions.id, channelId: sessions.channelId })
    .from(sessions)
    .where(and(eq(sessions.orgId, orgId), eq(sessions.id, sessionId)));
  if (!row) throw new NotFoundError('Chat session');
  await showTyping(deps, row, { type: 'human_agent', name }, active);
}
