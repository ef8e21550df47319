import { type SQL, and, eq, isNull } from 'drizzle-orm';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { Db } from '../../db/client.ts';
import { keysetPage, type TimeIdCursor, timeIdKeyset } from '../../db/keyset.ts';
import { channels } from '../../db/schema/index.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { AdapterDeps, AdapterModule } from '../model/adapter.ts';
import { channelInfo } from './channel-adapter.ts';
import { openChannelConfig, sealChannelConfig, secretNames } from './channel-config.ts';
import type { ChannelKind } from '../model/enums.ts';
import { newPublicId } from '../organization/organizations.ts';
import type { LiveChannels } from './live-channels.ts';
import type { ChannelRegistry } from './registry.ts';

// The channels admin API: rows in, views out. Every query is scoped by org id and skips soft-deleted channels.

export interface ChannelCtx {
  db: Db;
  secrets: SecretBox;
  adapterDeps: AdapterDeps;
  channels: ChannelRegistry;
  /** Told of every change committed here, so webhooks in every process see it at once (absent in the CLI). */
  liveChannels?: LiveChannels;
}

type ChannelRow = typeof channels.$inferSelect;
/** The list's order: oldest first. */
const byCreated = timeIdKeyset(channels.createdAt, channels.id, 'asc');

function moduleFor(registry: ChannelRegistry, type: ChannelKind, provider?: string): AdapterModule {
  if (!registry.adapterFor(type)) throw new ValidationError(`channel type ${type} is not available yet`, [{ path: 'type', message: 'Not available yet' }]);
  const module = registry.adapterFor(type, provider);
  if (!module) {
    const message = `Expected one of: ${registry.providersFor(type).join(', ')}`;
    throw new ValidationError(`Unknown provider ${provider} for a ${type} channel`, [{ path: 'provider', message }]);
  }
  return module;
}

/** The API's Channel: config without secrets, the names of the secrets set, and the provider webhook URLs. */
export function channelView(ctx: ChannelCtx, row: ChannelRow) {
  return {
    id: row.id,
    type: row.type,
    provider: row.provider,
    name: row.name,
    public_id: row.publicId,
    enabled: row.enabled,
    csat_enabled: row.csatEnabled,
    csat: moduleFor(ctx.channels, row.type, row.provider).capabilities.csat,
    config: row.config,
    secrets_set: secretNames(ctx.secrets, row),
    webhook_urls: channelInfo(ctx.channels, ctx.adapterDeps.publicUrl, row).webhookUrls,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const live = (orgId: string, id?: string): SQL =>
  and(eq(channels.orgId, orgId), isNull(channels.deletedAt), id ? eq(channels.id, id) : undefined)!;

export interface NewChannel {
  type: ChannelKind;
  provider?: string | undefined;
  name: string;
  config: Record<string, unknown>;
}

export async function createChannel(ctx: ChannelCtx, orgId: string, input: NewChannel): Promise<ChannelRow> {
  const module = moduleFor(ctx.channels, input.type, input.provider);
  const provider = input.provider ?? module.providers[0];
  const stored = sealChannelConfig(module, ctx.secrets, input.config);
  const [row] = await ctx.db
    .insert(channels)
    .values({ orgId, type: input.type, provider, name: input.name, publicId: newPublicId(), ...stored })
    .returning();
  return row!;
}

export async function getChannel(ctx: ChannelCtx, orgId: string, id: string): Promise<ChannelRow> {
  const [row] = await ctx.db.select().from(channels).where(live(orgId, id));
  if (!row) throw new NotFoundError('Channel');
  return row;
}

export async function listChannels(ctx: ChannelCtx, orgId: string, type: ChannelKind | undefined, limit: number, after?: TimeIdCursor) {
  const rows = await ctx.db
    .select({ channel: channels, sortKey: byCreated.sortKey })
    .from(channels)
    .where(and(live(orgId), type ? eq(channels.type, type) : undefined, byCreated.after(after)))
    .orderBy(...byCreated.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, (last): TimeIdCursor => [last.sortKey, last.channel.id]);
  return { items: page.rows.map((r) => r.channel), next: page.next };
}

export interface ChannelPatch {
  name?: string | undefined;
  enabled?: boolean | undefined;
  csatEnabled?: boolean | undefined;
  config?: Record<string, unknown> | undefined;
}

export async function patchChannel(ctx: ChannelCtx, orgId: string, id: string, patch: ChannelPatch): Promise<ChannelRow> {
  const updated = await ctx.db.transaction(async (tx) => {
    // Locked: two concurrent config patches must not both merge into the same old config.
    const [row] = await tx.select().from(channels).where(live(orgId, id)).for('update');
    if (!row) throw new NotFoundError('Channel');
    const stored = patch.config ? sealChannelConfig(moduleFor(ctx.channels, row.type, row.provider), ctx.secrets, patch.config, row) : {};
    if (patch.csatEnabled && moduleFor(ctx.channels, row.type, row.provider).capabilities.csat === null) {
      const message = `A ${row.type} channel cannot ask for a rating`;
      throw new ValidationError(message, [{ path: 'csat_enabled', message }]);
    }
    const [updated] = await tx
      .update(channels)
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.csatEnabled !== undefined ? { csatEnabled: patch.csatEnabled } : {}),
        ...stored,
        updatedAt: new Date(),
      })
      .where(eq(channels.id, row.id))
      .returning();
    return updated!;
  });
  await ctx.liveChannels?.changed(id);
  return updated;
}

/**
 * Soft delete: sessions and messages keep pointing at the channel. The organization's first channel of the built-in
 * kind (the registry's: created with the organization; POST /chat/sessions falls back to it) stays.
 */
export async function deleteChannel(ctx: ChannelCtx, orgId: string, id: string): Promise<void> {
  const row = await getChannel(ctx, orgId, id);
  const builtIn = ctx.channels.builtInKind();
  if (row.type === builtIn) {
    const [first] = await ctx.db
      .select({ id: channels.id })
      .from(channels)
      .where(and(eq(channels.orgId, orgId), eq(channels.type, builtIn)))
      .orderBy(...byCreated.orderBy)
      .limit(1);
    if (first?.id === row.id) throw new ConflictError(`The built-in ${builtIn} channel cannot be deleted (disable it instead)`);
  }
  await ctx.db.update(channels).set({ deletedAt: new Date(), updatedAt: new Date() }).where(live(orgId, id));
  await ctx.liveChannels?.changed(id);
}

/** Whether an adapter can be built from the stored config (decrypted and re-validated). Sends nothing yet. */
export async function testChannel(ctx: ChannelCtx, orgId: string, id: string): Promise<{ ok: boolean; detail: string }> {
  const row = await getChannel(ctx, orgId, id);
  const module = ctx.channels.adapterFor(row.type, row.provider);
  if (!module) return { ok: false, detail: `channel type ${row.type} (${row.provider}) is not available yet` };
  try {
    module.create(openChannelConfig(module, ctx.secrets, row), ctx.adapterDeps, channelInfo(ctx.channels, ctx.adapterDeps.publicUrl, row));
    return { ok: true, detail: `The ${row.type} adapter (${row.provider}) accepts this configuration` };
  } catch (err) {
    const details = err instanceof ValidationError ? err.details?.map((d) => `${d.path}: ${d.message}`) : undefined;
    return { ok: false, detail: details?.length ? details.join('; ') : (err as Error).message };
  }
}
