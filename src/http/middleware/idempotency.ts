import { createHash } from 'node:crypto';
import { and, eq, lt, type SQL } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Db } from '../../db/client.ts';
import { idempotencyKeys } from '../../db/schema/index.ts';
import { idempotencyCutoff } from '../../domain/organization/idempotency-records.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import type { AppEnv } from '../env.ts';
import { withoutOneTimeSecrets } from '../one-time-secrets.ts';

/** A first request that has not answered within this time is presumed dead, and its key may be reused. */
const IN_FLIGHT_TIMEOUT_MS = 60_000;

/**
 * `Idempotency-Key` on POST: a repeat with the same key and body gets the first response and writes nothing;
 * the same key with another body is a 409; a repeat while the first is still running is a 409 too. Keys are
 * remembered for a day (src/domain/organization/idempotency-records.ts): later, the same key is a new request. A response's
 * one-time secrets are never stored, so a replay has them null (src/http/one-time-secrets.ts).
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
    const where = and(eq(idempotencyKeys.orgId, orgId), eq(idempotencyKeys.key, key))!;

    const prior = await claim(db, { orgId, key, requestHash }, where);
    if (prior) {
      c.header('Idempotent-Replayed', 'true');
      return c.json(prior.response as object, prior.statusCode as ContentfulStatusCode);
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
    const response = withoutOneTimeSecrets(await c.res.clone().json(), c.get('oneTimeSecrets'));
    await db.update(idempotencyKeys).set({ statusCode: status, response }).where(where);
  });
}

/** Claims the key for this request (null: go ahead), or returns the stored answer to replay; 409s otherwise. */
async function claim(db: Db, claimant: { orgId: string; key: string; requestHash: string }, where: SQL) {
  const claimed = await db.insert(idempotencyKeys).values(claimant).onConflictDoNothing().returning({ key: idempotencyKeys.key });
  if (claimed.length > 0) return null;
  const [prior] = await db.select().from(idempotencyKeys).where(where).limit(1);
  // Expired: forgotten, as if it had never been used.
  const expiredBefore = idempotencyCutoff();
  if (prior && prior.createdAt < expiredBefore) return retake(db, where, expiredBefore, claimant.requestHash);
  if (prior && prior.requestHash !== claimant.requestHash) {
    throw new ConflictError('This Idempotency-Key was already used with a different request');
  }
  if (prior?.statusCode != null) return { statusCode: prior.statusCode, response: prior.response };
  // Still running, unless it died: take over a claim that is older than the timeout.
  return retake(db, where, new Date(Date.now() - IN_FLIGHT_TIMEOUT_MS), claimant.requestHash);
}

/** Takes the key over for this request if its record is older than `olderThan`; else another request has it. */
async function retake(db: Db, where: SQL, olderThan: Date, requestHash: string): Promise<null> {
  const retaken = await db
    .update(idempotencyKeys)
    .set({ requestHash, statusCode: null, response: null, createdAt: new Date() })
    .where(and(where, lt(idempotencyKeys.createdAt, olderThan)))
    .returning({ key: idempotencyKeys.key });
  if (retaken.length === 0) throw new ConflictError('A request with this Idempotency-Key is still in progress');
  return null;
}
