import { adapterFor } from '../../adapters/registry.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { AdapterDeps, ChannelAdapter, ChannelInfo } from './adapter.ts';
import { openChannelConfig } from './channel-config.ts';
import type { ChannelKind } from './enums.ts';
import { webhookUrls } from './webhook-urls.ts';

interface ChannelRowLike {
  id: string;
  type: ChannelKind;
  provider: string;
  config: Record<string, unknown>;
  secrets: string | null;
}

/** What an adapter instance knows of its channel: its id and its webhook URLs. */
export function channelInfo(publicUrl: string, channel: Pick<ChannelRowLike, 'id' | 'type' | 'provider'>): ChannelInfo {
  const paths = adapterFor(channel.type, channel.provider)?.webhookPaths ?? {};
  return { id: channel.id, webhookUrls: webhookUrls(publicUrl, channel.id, paths) };
}

/** The adapter of a stored channel, built from its decrypted config; undefined when its kind has no adapter. */
export function buildAdapter(
  deps: { secrets: SecretBox; adapterDeps: AdapterDeps },
  channel: ChannelRowLike,
): ChannelAdapter | undefined {
  const module = adapterFor(channel.type, channel.provider);
  const info = channelInfo(deps.adapterDeps.publicUrl, channel);
  return module?.create(openChannelConfig(module, deps.secrets, channel), deps.adapterDeps, info);
}
