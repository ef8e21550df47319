import { and, eq, isNull } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import { hashApiKey } from '../../crypto/api-key.ts';
import type { Db } from '../../db/client.ts';
import { apiKeys } from '../../db/schema/index.ts';
import type { ApiKeyRole } from '../../domain/enums.ts';
import { ForbiddenError, UnauthorizedError } from '../../errors.ts';
import type { AppEnv, AuthContext } from '../env.ts';

/**
 * Key lookups are cached briefly in process: a revoked key stops working here at once (revoke() below)
 * and in other gateway processes within CACHE_TTL_MS.
 */
const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;

export class ApiKeyResolver {
  readonly #cache = new Map<string, { auth: AuthContext | null; expires: number }>();
  constructor(private readonly db: Db) {}

  async resolve(key: string): Promise<AuthContext | null> {
    const hash = hashApiKey(key);
    const hit = this.#cache.get(hash);
    if (hit && hit.expires > Date.now()) return hit.auth;
    const [row] = await this.db
      .select({ id: apiKeys.id, orgId: apiKeys.orgId, role: apiKeys.role, agentId: apiKeys.agentId })
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)))
      .limit(1);
    const auth = row ? { orgId: row.orgId, role: row.role, keyId: row.id, agentId: row.agentId } : null;
    // Recorded on cache misses only: "last used" is accurate to the cache TTL without a write per request.
    if (row) await this.db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, row.id));
    if (this.#cache.size >= CACHE_MAX) this.#cache.clear();
    this.#cache.set(hash, { auth, expires: Date.now() + CACHE_TTL_MS });
    return auth;
  }

  /** Forget a key at once in this process (after revocation). */
  forgetKeyId(keyId: string): void {
    for (const [hash, entry] of this.#cache) if (entry.auth?.keyId === keyId) this.#cache.delete(hash);
  }
}

/** `Authorization: Bearer <key>`; missing or unknown → 401, valid but not one of `roles` → 403. */
export function requireAuth(resolver: ApiKeyResolver, roles: readonly ApiKeyRole[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new UnauthorizedError('Missing API key: send Authorization: Bearer <key>');
    const auth = await resolver.resolve(match[1]!);
    if (!auth) throw new UnauthorizedError('Invalid or revoked API key');
    if (!roles.includes(auth.role)) throw new ForbiddenError(`A ${auth.role} key cannot do this`);
    c.set('auth', auth);
    await next();
  });
}
