import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Db } from '../../db/client.ts';
import { idempotencyKeys } from '../../db/schema/index.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import type { AppEnv } from '../env.ts';

/** A first request that has not answered within this time is presumed dead, and its key may be reused. */
const IN_FLIGHT_TIMEOUT_MS = 60_000;

/**
 * `Idempotency-Key` on POST: a repeat with the same key and body gets the first response and writes nothing;
 * the same key with another body is a 409; a repeat while the first is still running is a 409 too.
 * Runs after auth: keys are scoped to the organization.
 */
export function idempotency(db: Db) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length === 0 || key.length > 255) throw new ValidationError('Idempotency-Key must be 1 to 255 characters');
    const { orgId } = c.get('auth');
    const body = await c.req.text();
    const requestHash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${body}`).digest('hex');
    const where = and(eq(idempotencyKeys.orgId, orgId), eq(idempotencyKeys.key, key));

    const claimed = await db
      .insert(idempotencyKeys)
      .values({ orgId, key, requestHash })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length === 0) {
      const [prior] = await db.select().from(idempotencyKeys).where(where).limit(1);
      if (prior && prior.requestHash !== requestHash) {
        throw new ConflictError('This Idempotency-Key was already used with a different request');
      }
      if (prior?.statusCode != null) {
        c.header('Idempotent-Replayed', 'true');
        return c.json(prior.response as object, prior.statusCode as ContentfulStatusCode);
      }
      // Still running, unless it died: take over a claim that is older than the timeout.
      const stale = new Date(Date.now() - IN_FLIGHT_TIMEOUT_MS);
      const retaken = await db
        .update(idempotencyKeys)
        .set({ createdAt: new Date() })
        .where(and(where, lt(idempotencyKeys.createdAt, stale)))
        .returning({ key: idempotencyKeys.key });
      if (retaken.length === 0) throw new ConflictError('A request with this Idempotency-Key is still in progress');
    }

    try {
      await next();
    } catch (err) {
      await db.delete(idempotencyKeys).where(where);
      throw err;
    }
    // Errors are not remembered (the client may fix and retry); successes and 4xx answers of the handler are.
    const status = c.res.status;
    const isJson = c.res.headers.get('content-type')?.includes('application/json');
    if (status >= 500 || c.error || !isJson) {
      await db.delete(idempotencyKeys).where(where);
      return;
    }
    const response = await c.res.clone().json();
    await db.update(idempotencyKeys).set({ statusCode: status, response }).where(where);
  });
}
