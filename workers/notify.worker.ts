import { type Job, UnrecoverableError } from 'bullmq';
import { and, eq, max } from 'drizzle-orm';
import type { SecretBox } from '../src/crypto/secret-box.ts';
import type { Db } from '../src/db/client.ts';
import { events, webhookDeliveries, webhookEndpoints } from '../src/db/schema/index.ts';
import type { ChannelKind } from '../src/domain/model/enums.ts';
import { eventEnvelope, NOTIFY_BACKOFF_TYPE, webhookBackoffDelay } from '../src/domain/relays/event-fanout.ts';
import { signingSecrets, webhookHeaders } from '../src/domain/webhooks/webhook-signature.ts';
import type { Logger } from '../src/logger.ts';
import type { Metrics, WebhookResult } from '../src/metrics/metrics.ts';
import type { GuardedFetch, OutboundClient } from '../src/net/guarded-fetch.ts';
import { blockedAddressIn } from '../src/net/outbound-errors.ts';
import { jobSchemas, type JobData } from '../src/queue/names.ts';
import { createQueueWorker, type WorkerOptions } from './worker-factory.ts';

// notify: one event to one webhook endpoint. Loads both (a deleted or disabled endpoint ends the job quietly),
// signs Open's envelope per Standard Webhooks, POSTs it through the outbound guard (src/net/guarded-fetch.ts: public
// addresses only unless OUTBOUND_ALLOW_CIDRS allows more) with a timeout, and records the attempt. A 2xx ends the
// job; 410 Gone disables the endpoint; anything else throws so BullMQ retries (schedule: src/domain/relays/event-fanout.ts).

const TIMEOUT_MS = 10_000;
const BODY_HEAD_BYTES = 2048;
export const REFUSED = 'refused: address not allowed (Switchboard delivers only to public addresses; see OUTBOUND_ALLOW_CIDRS)';

export interface NotifyDeps {
  db: Db;
  secrets: SecretBox;
  logger: Logger;
  outbound: Pick<OutboundClient, 'fetch'>;
  metrics: Pick<Metrics, 'webhookDeliveries'>;
}

export type NotifyJob = Pick<Job<JobData['notify'], unknown, ChannelKind>, 'data' | 'attemptsMade' | 'opts'>;
export type NotifyResult = { delivered: true; status: number } | { skipped: string };

export async function processNotify(job: NotifyJob, deps: NotifyDeps): Promise<NotifyResult> {
  const parsed = jobSchemas.notify.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`Malformed notify job: ${parsed.error.message}`);
  const { orgId, eventId, endpointId } = parsed.data;
  const [endpoint] = await deps.db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.orgId, orgId), eq(webhookEndpoints.id, endpointId)));
  if (!endpoint) return { skipped: 'endpoint deleted' };
  if (!endpoint.enabled) return { skipped: 'endpoint disabled' };
  const [event] = await deps.db.select().from(events).where(and(eq(events.orgId, orgId), eq(events.id, eventId)));
  if (!event) return { skipped: 'event deleted' };

  const d = webhookDeliveries;
  const pair = and(eq(d.endpointId, endpointId), eq(d.eventId, eventId));
  const [done] = await deps.db.select({ id: d.id }).from(d).where(and(pair, eq(d.status, 'succeeded'))).limit(1);
  if (done) return { skipped: 'already delivered' };

  const body = JSON.stringify(await eventEnvelope(deps.db, event));
  const headers = webhookHeaders(signingSecrets(deps.secrets, endpoint), event.id, body);
  // The attempt is on record (pending) before the request leaves: a worker that dies mid-request leaves a trace.
  const [prior] = await deps.db.select({ n: max(d.attempt) }).from(d).where(pair);
  const [row] = await deps.db
    .insert(d)
    .values({ orgId, endpointId, eventId, attempt: (prior?.n ?? 0) + 1 })
    .returning({ id: d.id });
  const result = await post(deps.outbound.fetch, endpoint.url, headers, body);
  const gone = result.status === 410;
  deps.metrics.webhookDeliveries.inc({ result: resultLabel(result, gone) });
  const retryInMs = !result.ok && !gone ? nextRetryDelay(job) : undefined;
  await deps.db
    .update(d)
    .set({
      status: result.ok ? 'succeeded' : 'failed',
      responseStatus: result.status,
      responseBody: result.body,
      error: result.error,
      durationMs: result.durationMs,
      nextAttemptAt: retryInMs === undefined ? null : new Date(Date.now() + retryInMs),
    })
    .where(eq(d.id, row!.id));
  if (result.ok) return { delivered: true, status: result.status! };
  if (gone) {
    await deps.db
      .update(webhookEndpoints)
      .set({ enabled: false, disabledReason: `The receiver answered 410 Gone at ${new Date().toISOString()}`, updatedAt: new Date() })
      .where(eq(webhookEndpoints.id, endpointId));
    throw new UnrecoverableError('410 Gone: the endpoint is disabled');
  }
  throw new Error(`Webhook delivery failed: ${result.error}`);
}

/** When BullMQ will run this job again after the current attempt fails; undefined if this was the last attempt. */
function nextRetryDelay(job: NotifyJob): number | undefined {
  const retry = job.attemptsMade + 1; // 1 = the first retry
  if (retry >= (job.opts.attempts ?? 1)) return undefined;
  const b = job.opts.backoff;
  if (b === undefined) return 0;
  if (typeof b === 'number') return b;
  const delay = b.delay ?? 0;
  if (b.type === NOTIFY_BACKOFF_TYPE) return webhookBackoffDelay(retry, delay);
  return b.type === 'exponential' ? 2 ** (retry - 1) * delay : delay;
}

function resultLabel(result: PostResult, gone: boolean): WebhookResult {
  if (result.ok) return 'delivered';
  if (gone) return 'gone';
  if (result.status !== null) return 'http_error';
  return result.error === REFUSED ? 'refused' : 'no_response';
}

interface PostResult {
  ok: boolean;
  status: number | null;
  body: string | null;
  error: string | null;
  durationMs: number;
}

/** One POST, redirects not followed (a 3xx is a failure), bounded by TIMEOUT_MS including the body's head. */
async function post(fetcher: GuardedFetch, url: string, signed: Record<string, string>, body: string): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetcher(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Switchboard-Webhooks/1', ...signed },
      body,
      timeoutMs: TIMEOUT_MS,
      // Only the body's head is read (readHead), so its size does not matter.
      maxBytes: Number.POSITIVE_INFINITY,
    });
    const head = await readHead(res, BODY_HEAD_BYTES);
    const ok = res.status >= 200 && res.status < 300;
    return { ok, status: res.status, body: head, error: ok ? null : `HTTP ${res.status}`, durationMs: elapsed() };
  } catch (err) {
    return { ok: false, status: null, body: null, error: describe(err), durationMs: elapsed() };
  }
}

/** The first `limit` bytes of a response body as text (NUL removed: Postgres text cannot hold it). */
async function readHead(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still tells its status; keep what arrived.
  } finally {
    void reader.cancel().catch(() => {});
  }
  const bytes = Buffer.concat(chunks).subarray(0, limit);
  return new TextDecoder().decode(bytes).replaceAll('\u0000', '');
}

/** Why a POST got no answer. A refused address says only that: which refusal, or how a blocked port behaves, must
 *  not make the delivery log a way to map internal hosts. */
function describe(err: unknown): string {
  if (blockedAddressIn(err)) return REFUSED;
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `No answer within ${TIMEOUT_MS} ms`;
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message}: ${cause}` : e.message;
}

/** The factory's options (workers/worker-factory.ts), `base` included; the logger is the deps'. */
export type NotifyWorkerOptions = Omit<WorkerOptions, 'logger' | 'backoffStrategy' | 'failedLog'>;

/**
 * The notify queue's worker (workers/worker-factory.ts), with the webhook backoff strategy: jobs ask for
 * `backoff: { type: 'webhook', delay }`, doubling with a cap, which BullMQ's exponential lacks.
 */
export function createNotifyWorker(deps: NotifyDeps, opts: NotifyWorkerOptions) {
  const { worker, connection } = createQueueWorker('notify', (job) => processNotify(job, deps), {
    ...opts,
    logger: deps.logger,
    concurrency: opts.concurrency ?? 16,
    backoffStrategy: (attemptsMade, type, _err, job) => {
      const b = job?.opts.backoff;
      return type === NOTIFY_BACKOFF_TYPE ? webhookBackoffDelay(attemptsMade, typeof b === 'object' ? b.delay : undefined) : -1;
    },
    // A receiver that is down or answers an error is routine, and retried.
    failedLog: { level: 'info', message: 'webhook attempt failed' },
  });
  return {
    worker,
    connection,
    async close(force = false) {
      await worker.close(force);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
