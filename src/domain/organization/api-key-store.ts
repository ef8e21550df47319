import { and, count, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { keysetPage, type TimeIdCursor, timeIdKeyset } from '../../db/keyset.ts';
import { agents, apiKeys, organizations } from '../../db/schema/index.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { ApiKeyRole } from '../model/enums.ts';
import { insertApiKey } from './organizations.ts';

// The API keys admin API. Keys are stored hashed: the key itself exists only in the create response.

type ApiKeyRow = typeof apiKeys.$inferSelect;
/** The list's order: newest first. */
const byCreated = timeIdKeyset(apiKeys.createdAt, apiKeys.id, 'desc');

/** What lists show: never the key or its hash. */
export function apiKeyView(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    key_prefix: row.keyPrefix,
    agent_id: row.agentId,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
  };
}

export async function createApiKey(db: Db, orgId: string, input: { name: string; role: ApiKeyRole; agentId?: string | undefined }) {
  if (input.agentId !== undefined) {
    const [agent] = await db
      .select({ id: agents.id })
      .from(agents)
      .where(and(eq(agents.orgId, orgId), eq(agents.id, input.agentId)));
    if (!agent) {
      throw new ValidationError('agent_id is not an agent of this organization', [{ path: 'agent_id', message: 'No such agent' }]);
    }
  }
  return insertApiKey(db, orgId, input.role, input.name, undefined, input.agentId ?? null);
}

/** Active (unrevoked) keys, newest first. */
export async function listApiKeys(db: Db, orgId: string, limit: number, after?: TimeIdCursor) {
  const rows = await db
    .select({ key: apiKeys, sortKey: byCreated.sortKey })
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt), byCreated.after(after)))
    .orderBy(...byCreated.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, (last): TimeIdCursor => [last.sortKey, last.key.id]);
  return { items: page.rows.map((r) => r.key), next: page.next };
}

/**
 * Sets revoked_at. The caller must then forget the key in the auth cache. An organization keeps at least one
 * admin key (a key may revoke itself, but nobody can lock the organization out).
 */
export async function revokeApiKey(db: Db, orgId: string, keyId: string): Promise<void> {
  await db.transaction(async (tx) => {
    // Serializes revocations per organization: two concurrent revokes of the last two admin keys cannot both pass.
    await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId)).for('update');
    const active = and(eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt));
    const [key] = await tx.select({ role: apiKeys.role }).from(apiKeys).where(and(active, eq(apiKeys.id, keyId)));
    if (!key) throw new NotFoundError('API key');
    if (key.role === 'admin') {
      const [admins] = await tx.select({ n: count() }).from(apiKeys).where(and(active, eq(apiKeys.role, 'admin')));
      if ((admins?.n ?? 0) <= 1) {
        throw new ConflictError('The last admin key of an organization cannot be revoked: create another admin key first');
      }
    }
    await tx.update(apiKeys).set({ revokedAt: new Date() }).where(and(active, eq(apiKeys.id, keyId)));
  });
}
