import { and, eq, isNull } from 'drizzle-orm';
import { type WebConfig, webConfigSchema } from '../config.ts';
import { webAdapter } from '../index.ts';
import type { SecretBox } from '../../../src/crypto/secret-box.ts';
import type { Db } from '../../../src/db/client.ts';
import { channels } from '../../../src/db/schema/index.ts';
import { openChannelConfig } from '../../../src/domain/channels/channel-config.ts';
import { NotFoundError } from '../../../src/errors.ts';

// The web channel a widget request names by its public id. Read on every widget request and socket hello, so a
// short per-process cache keeps it off the database under load; a changed config applies within CACHE_MS.

export interface WebChannel {
  id: string;
  orgId: string;
  publicId: string;
  name: string;
  config: WebConfig;
}

const CACHE_MS = 5_000;

export class WebChannels {
  private readonly cache = new Map<string, { at: number; channel: WebChannel | null }>();

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly now: () => number = Date.now,
  ) {}

  /** The enabled, live web channel with this public id; a 404 otherwise (never says which of those it was). */
  async get(publicId: string): Promise<WebChannel> {
    const hit = this.cache.get(publicId);
    const channel = hit && this.now() - hit.at < CACHE_MS ? hit.channel : await this.load(publicId);
    if (!channel) throw new NotFoundError('Chat');
    return channel;
  }

  private async load(publicId: string): Promise<WebChannel | null> {
    const [row] = await this.db
      .select()
      .from(channels)
      .where(and(eq(channels.publicId, publicId), eq(channels.type, 'web'), eq(channels.enabled, true), isNull(channels.deletedAt)))
      .limit(1);
    const channel = row
      ? {
          id: row.id,
          orgId: row.orgId,
          publicId: row.publicId,
          name: row.name,
          config: webConfigSchema.parse(openChannelConfig(webAdapter as never, this.secrets, row)),
        }
      : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(publicId, { at: this.now(), channel });
    return channel;
  }
}

// One cache per process's deps (as the adapter caches, src/domain/channels/channel-adapter.ts): built on first use.
const perDeps = new WeakMap<object, WebChannels>();

/** This process's web channels by public id (briefly cached). */
export function webChannelsOf(deps: { db: Db; secrets: SecretBox }): WebChannels {
  let found = perDeps.get(deps);
  if (!found) perDeps.set(deps, (found = new WebChannels(deps.db, deps.secrets)));
  return found;
}
