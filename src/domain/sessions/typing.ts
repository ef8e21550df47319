import { and, eq } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import { sessions } from '../../db/schema/index.ts';
import { NotFoundError } from '../../errors.ts';
import type { TypingSender } from '../model/adapter.ts';
import { buildAdapter } from '../channels/channel-adapter.ts';
import { destination } from '../outbound/dispatch-store.ts';

// "Typing…" shown to the customer, where their channel has such a thing (the adapter's optional `typing`).
// Never stored; best effort: a failure is logged and forgotten.

type TypingDeps = Pick<Deps, 'db' | 'secrets' | 'adapterDeps' | 'logger' | 'channels'>;

export async function showTyping(deps: TypingDeps, sessionId: string, sender: TypingSender, active = true): Promise<void> {
  try {
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
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.orgId, orgId), eq(sessions.id, sessionId)));
  if (!row) throw new NotFoundError('Chat session');
  await showTyping(deps, sessionId, { type: 'human_agent', name }, active);
}
