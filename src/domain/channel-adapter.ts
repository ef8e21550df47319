import { adapterFor } from '../../adapters/registry.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { AdapterDeps, ChannelAdapter } from './adapter.ts';
import { openChannelConfig } from './channel-config.ts';
import type { ChannelKind } from './enums.ts';

/** The adapter of a stored channel, built from its decrypted config; undefined when its kind has no adapter. */
export function buildAdapter(
  deps: { secrets: SecretBox; adapterDeps: AdapterDeps },
  channel: { type: ChannelKind; config: Record<string, unknown>; secrets: string | null },
): ChannelAdapter | undefined {
  const module = adapterFor(channel.type);
  return module?.create(openChannelConfig(module, deps.secrets, channel), deps.adapterDeps);
}
