import { UnrecoverableError } from 'bullmq';
import { adapterFor } from '../adapters/registry.ts';
import type { ChannelAdapter } from '../src/domain/adapter.ts';
import { openChannelConfig } from '../src/domain/channel-config.ts';
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
