import { and, eq, isNull } from 'drizzle-orm';
import type { CacheNotices } from '../../cache/cache-notices.ts';
import { RowCache } from '../../cache/row-cache.ts';
import type { Db } from '../../db/client.ts';
import { channels } from '../../db/schema/index.ts';

// The enabled, not deleted channel a provider webhook names, without a query per request (issue 17: one of the
// statements every webhook made). channel-store.ts announces each change it commits, so a disabled channel stops
// taking traffic in every process at once; 30 s is the most a change made elsewhere (SQL by hand) takes to show.

export type LiveChannel = typeof channels.$inferSelect;
export type LiveChannels = RowCache<LiveChannel>;

export const createLiveChannels = (notices: CacheNotices): LiveChannels => new RowCache<LiveChannel>('channels', notices);

export function liveChannel(deps: { db: Db; liveChannels: LiveChannels }, id: string): Promise<LiveChannel | undefined> {
  return deps.liveChannels.get(id, async () => {
    const [row] = await deps.db
      .select()
      .from(channels)
      .where(and(eq(channels.id, id), eq(channels.enabled, true), isNull(channels.deletedAt)));
    return row;
  });
}
