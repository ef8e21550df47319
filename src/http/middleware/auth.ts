import { timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { hashApiKey } from '../../crypto/api-key.ts';
import type { Db } from '../../db/client.ts';
import { apiKeys } from '../../db/schema/index.ts';
import type { ApiKeyRole } from '../../domain/model/enums.ts';
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

/**
 * A console sign-in, as the cookie branch of requireAuth sees it (src/console/server/console-sessions.ts): the
 * cookie's token resolves to who is calling and the CSRF token their writes must echo.
 */
export interface CookieAuthenticator {
  readonly cookieName: string;
  authenticate(token: string): Promise<{ auth: AuthContext; csrf: string } | null>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * `Authorization: Bearer <key>`; missing or unknown → 401, valid but not one of `roles` → 403.
 * With `cookies`, a request without an Authorization header may instead carry the console's session cookie; a
 * write made that way must echo the session's CSRF token in `X-CSRF-Token` (a cookie rides along on any request
 * the browser sends, a header only on those our own page makes).
 */
export function requireAuth(resolver: ApiKeyResolver, roles: readonly ApiKeyRole[], cookies?: CookieAuthenticator) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    const token = header === undefined && cookies ? getCookie(c, cookies.cookieName) : undefined;
    let auth: AuthContext;
    if (token !== undefined && cookies) {
      const session = await cookies.authenticate(token);
      if (!session) throw new UnauthorizedError('Console session expired or signed out: sign in again');
      if (!SAFE_METHODS.has(c.req.method) && !sameSecret(c.req.header('x-csrf-token'), session.csrf)) {
        throw new ForbiddenError('Missing or invalid CSRF token');
      }
      auth = session.auth;
      if (!roles.includes(auth.role)) throw new ForbiddenError(`An ${auth.role} cannot do this`);
    } else {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
      if (!match) throw new UnauthorizedError('Missing API key: send Authorization: Bearer <key>');
      const resolved = await resolver.resolve(match[1]!);
      if (!resolved) throw new UnauthorizedError('Invalid or revoked API key');
      auth = resolved;
      if (!roles.includes(auth.role)) throw new ForbiddenError(`${/^[aeiou]/.test(auth.role) ? 'An' : 'A'} ${auth.role} key cannot do this`);
    }
    c.set('auth', auth);
    await next();
  });
}

/** Constant-time comparison of a presented secret with the expected one. */
export function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
