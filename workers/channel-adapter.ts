import { UnrecoverableError } from 'bullmq';
import { adapterFor } from '../adapters/registry.ts';
import type { ChannelAdapter, TypingSender } from '../src/domain/adapter.ts';
import { openChannelConfig } from '../src/domain/channel-config.ts';
import { destination } from '../src/domain/dispatch-store.ts';
import type { ChannelKind } from '../src/domain/enums.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** The adapter of a stored channel, built from its (decrypted) config. */
export function createAdapter(
  deps: WorkerDeps,
  channel: { type: ChannelKind; config: Record<string, unknown>; secrets: string | null },
): ChannelAdapter {
  const module = adapterFor(channel.type);
  if (!module) throw new UnrecoverableError(`No adapter for channel type ${channel.type}`);
  return module.create(openChannelConfig(module, deps.secrets, channel), deps.adapterDeps);
}

/** Show the customer a typing indicator where their channel has one. Best effort: never fails the caller. */
export async function showTyping(deps: WorkerDeps, sessionId: string, sender: TypingSender): Promise<void> {
  try {
    const dest = await destination(deps.db, sessionId);
    if (!dest) return;
    const adapter = createAdapter(deps, dest.channel);
    await adapter.typing?.({ address: dest.address, contactId: dest.contact.id }, sender, true);
  } catch (err) {
    deps.logger.debug({ err: (err as Error).message, sessionId }, 'typing indicator not shown');
  }
}
