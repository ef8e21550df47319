import { randomBytes } from 'node:crypto';
import { count } from 'drizzle-orm';
import { displayPrefix, generateApiKey, hashApiKey } from '../../crypto/api-key.ts';
import type { Db, Tx } from '../../db/client.ts';
import { apiKeys, channels, organizations } from '../../db/schema/index.ts';
import { addDemoKnowledge } from './demo-content.ts';
import type { ApiKeyRole } from '../model/enums.ts';
import type { ChannelRegistry } from '../channels/registry.ts';

/** Where organizations are created: the database, and the channels each starts with (the registry's). */
export interface OrgStore {
  db: Db;
  channels: ChannelRegistry;
}

export interface CreatedOrganization {
  id: string;
  name: string;
  adminKey: string;
}

/**
 * A new tenant with the channels every organization starts with (the registry's provisioned ones: the built-in API
 * channel, and web chat with default settings, the one /demo shows), and a first admin key (given, or generated).
 */
export async function createOrganization(
  { db, channels: registry }: OrgStore,
  name: string,
  adminKey?: string,
  opts: { demoContent?: boolean } = {},
): Promise<CreatedOrganization> {
  return db.transaction(async (tx) => {
    const [org] = await tx.insert(organizations).values({ name }).returning({ id: organizations.id });
    await tx
      .insert(channels)
      .values(registry.provisioned().map(({ kind, provider, name }) => ({ orgId: org!.id, type: kind, provider, name, publicId: newPublicId() })));
    if (opts.demoContent) await addDemoKnowledge(tx, org!.id);
    const { key } = await insertApiKey(tx, org!.id, 'admin', 'Initial admin key', adminKey);
    return { id: org!.id, name, adminKey: key };
  });
}

/**
 * First start: when no organization exists, create one. Its admin key is SWITCHBOARD_BOOTSTRAP_KEY when set,
 * else a generated one that the caller shows once (it is stored only hashed).
 */
export async function ensureFirstOrganization(
  store: OrgStore,
  bootstrapKey: string | undefined,
): Promise<(CreatedOrganization & { generatedKey: boolean }) | null> {
  const [row] = await store.db.select({ n: count() }).from(organizations);
  if ((row?.n ?? 0) > 0) return null;
  const org = await createOrganization(store, 'Default', bootstrapKey, { demoContent: true });
  return { ...org, generatedKey: bootstrapKey === undefined };
}

export async function insertApiKey(
  tx: Tx | Db,
  orgId: string,
  role: ApiKeyRole,
  name: string,
  key = generateApiKey(role),
  agentId: string | null = null,
) {
  const [row] = await tx
    .insert(apiKeys)
    .values({ orgId, role, name, keyHash: hashApiKey(key), keyPrefix: displayPrefix(key), agentId })
    .returning();
  return { key, row: row! };
}

export const newPublicId = () => `ch_${randomBytes(12).toString('base64url')}`;
