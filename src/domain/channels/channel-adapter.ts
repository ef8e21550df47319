import type { SecretBox } from '../../crypto/secret-box.ts';
import type { ChannelRegistry } from './registry.ts';
import type { AdapterDeps, ChannelAdapter, ChannelInfo } from '../model/adapter.ts';
import { openChannelConfig } from './channel-config.ts';
import type { ChannelKind } from '../model/enums.ts';
import { webhookUrls } from './webhook-urls.ts';

interface ChannelRowLike {
  id: string;
  type: ChannelKind;
  provider: string;
  config: Record<string, unknown>;
  secrets: string | null;
  /** When given, the built adapter is reused until the row changes. */
  updatedAt?: Date;
}

// Adapters are stateless translators, but building one decrypts the secrets and makes a provider client (an HTTP
// agent with its own keep-alive sockets): dispatch would do that for every reply. So instances are kept per
// channel row version; a config change (updatedAt) builds a new one. Bounded: oldest out first.
const MAX_CACHED = 500;
// Per AdapterDeps (the process's HTTP fetch, Redis publisher…): an adapter never outlives the deps it was built with.
const caches = new WeakMap<AdapterDeps, Map<string, ChannelAdapter>>();

/** What an adapter instance knows of its channel: its id and its webhook URLs. */
export function channelInfo(
  registry: ChannelRegistry,
  publicUrl: string,
  channel: Pick<ChannelRowLike, 'id' | 'type' | 'provider'>,
): ChannelInfo {
  const paths = registry.adapterFor(channel.type, channel.provider)?.webhookPaths ?? {};
  return { id: channel.id, webhookUrls: webhookUrls(publicUrl, channel.id, paths) };
}

/** The adapter of a stored channel, built from its decrypted config; undefined when its kind has no adapter. */
export function buildAdapter(
  deps: { secrets: SecretBox; adapterDeps: AdapterDeps; channels: ChannelRegistry },
  channel: ChannelRowLike,
): ChannelAdapter | undefined {
  const module = deps.channels.adapterFor(channel.type, channel.provider);
  if (!module) return undefined;
  const key = channel.updatedAt ? `${channel.id}@${channel.updatedAt.getTime()}` : undefined;
  let cache = caches.get(deps.adapterDeps);
  if (!cache) caches.set(deps.adapterDeps, (cache = new Map()));
  const cached = key ? cache.get(key) : undefined;
  if (cached) return cached;
  const info = channelInfo(deps.channels, deps.adapterDeps.publicUrl, channel);
  const adapter = module.create(openChannelConfig(module, deps.secrets, channel), deps.adapterDeps, info);
  if (key) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, adapter);
  }
  return adapter;
}
