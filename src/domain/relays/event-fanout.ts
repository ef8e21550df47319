import type { JobsOptions } from 'bullmq';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  channels,
  contacts,
  events,
  messages,
  sessions,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
  webhookEndpoints,
} from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { JobData } from '../../queue/names.ts';
import { type JobName, ORG_WIDE, type Queues } from '../../queue/queues.ts';
import type { ChannelKind } from '../model/enums.ts';
import { type Periodic, runEvery } from './periodic.ts';

// Events out, producer side: the event log is the outbox. The relay reads events not yet fanned out (events.
// fanned_out_at is null), adds one `notify` job per (event, enabled endpoint subscribed to its type) with a
// deterministic job id, then marks the events. A crash between the two re-adds jobs BullMQ already has (a no-op);
// the worker also refuses a second success per (event, endpoint) (webhook_deliveries_success_uq).

/** Only WEBHOOK_EVENT_TYPES leave Switchboard; internal rows (status_changed, agent_note, system_message) never do. */
export const isDeliverable = (type: string): type is WebhookEventType => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);

export const NOTIFY_BACKOFF_TYPE = 'webhook';
/** The backoff base (first retry) and cap: doubling from 30 s, at most 4 h between attempts. */
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_CAP_FACTOR = 480; // 480 × 30 s = 4 h

/**
 * The retry schedule: 15 attempts; gaps 30 s, 1, 2, 4, 8, 16, 32, 64, 128 min (4 h 15 min so far), then 4 h × 5:
 * the last attempt is ≈ 24 h 15 min after the first. BullMQ's own exponential backoff doubles without a cap
 * (14 doublings of 30 s would be 5.7 days), hence this custom `webhook` strategy, registered by the notify worker.
 */
export const NOTIFY_JOB_OPTIONS = {
  attempts: 15,
  backoff: { type: NOTIFY_BACKOFF_TYPE, delay: BACKOFF_BASE_MS },
} satisfies JobsOptions;

/** Delay before retry number `attemptsMade` (1 = the first retry): base × 2^(n-1), capped at 480 × base. */
export function webhookBackoffDelay(attemptsMade: number, baseMs = BACKOFF_BASE_MS): number {
  return Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), baseMs * BACKOFF_CAP_FACTOR);
}

export const notifyJobId = (d: JobData['notify']) => `notify-${d.eventId}-${d.endpointId}`;

export interface EventRelayOptions {
  batchSize?: number;
  /** Overrides of the notify job options (tests shorten the backoff). */
  jobOptions?: Pick<JobsOptions, 'attempts' | 'backoff'>;
}

/**
 * False on a status change made with Open's `reflect_status_change_for_integration: false`: the caller is the
 * integration the change came from (a help desk syncing its own close back), so the webhooks do not echo it.
 */
const reflected = sql<boolean>`coalesce((${events.data}->>'reflect_status_change_for_integration')::boolean, true)`;

/** Fans out one batch of events, oldest first. Returns how many events it marked. */
export async function relayEvents(db: Db, queues: Queues, opts: EventRelayOptions = {}): Promise<number> {
  const rows = await db
    .select({ id: events.id, orgId: events.orgId, type: events.type, createdAt: events.createdAt, channel: channels.type, reflected })
    .from(events)
    .leftJoin(sessions, eq(sessions.id, events.sessionId))
    .leftJoin(channels, eq(channels.id, sessions.channelId))
    .where(isNull(events.fannedOutAt))
    .orderBy(asc(events.seq))
    .limit(opts.batchSize ?? 500);
  if (rows.length === 0) return 0;

  const deliverable = rows.filter((r) => isDeliverable(r.type) && r.reflected);
  const orgIds = [...new Set(deliverable.map((r) => r.orgId))];
  const endpoints = orgIds.length
    ? await db
        .select({ id: webhookEndpoints.id, orgId: webhookEndpoints.orgId, events: webhookEndpoints.events, createdAt: webhookEndpoints.createdAt })
        .from(webhookEndpoints)
        .where(and(inArray(webhookEndpoints.orgId, orgIds), eq(webhookEndpoints.enabled, true)))
    : [];
  const jobOpts = { ...NOTIFY_JOB_OPTIONS, ...opts.jobOptions };
  const jobs = deliverable.flatMap((event) =>
    endpoints
      // An endpoint receives what happens from its creation on, never the history before it.
      .filter((e) => e.orgId === event.orgId && e.createdAt <= event.createdAt)
      .filter((e) => e.events.includes('*') || e.events.includes(event.type as WebhookEventType))
      .map((e) => {
        const data = { orgId: event.orgId, eventId: event.id, endpointId: e.id };
        return { name: (event.channel ?? ORG_WIDE) as JobName, data, opts: { ...jobOpts, jobId: notifyJobId(data) } };
      }),
  );
  if (jobs.length > 0) await queues.notify.addBulk(jobs);
  await db
    .update(events)
    .set({ fannedOutAt: sql`now()` })
    .where(inArray(events.id, rows.map((r) => r.id)));
  return rows.length;
}

/** Runs the fan-out every `intervalMs` until stopped; errors (Redis down) are logged and retried next tick. */
export function startEventRelay(
  deps: { db: Db; queues: Queues; logger: Logger },
  opts: EventRelayOptions & { intervalMs: number },
): Periodic {
  const batchSize = opts.batchSize ?? 500;
  const step = () => relayEvents(deps.db, deps.queues, { ...opts, batchSize });
  return runEvery(opts.intervalMs, deps.logger, 'events fanned out', step, { batchSize });
}

/**
 * A manual retry: the event's notify job runs once more, now. A finished job is retried in place (a failed one that
 * used up its attempts gets exactly one more); a delayed one is promoted; a waiting or active one is left alone;
 * a job Redis no longer has is added again for one attempt.
 */
export async function requeueNotify(queues: Queues, data: JobData['notify'], channel: JobName): Promise<void> {
  const jobId = notifyJobId(data);
  try {
    const job = await queues.notify.getJob(jobId);
    if (!job) {
      await queues.notify.add(channel, data, { ...NOTIFY_JOB_OPTIONS, attempts: 1, jobId });
      return;
    }
    const state = await job.getState();
    if (state === 'failed' || state === 'completed') await job.retry(state);
    else if (state === 'delayed') await job.promote();
  } catch (err) {
    throw new AppError('SERVICE_UNAVAILABLE', 'The queue did not take the retry; try again', undefined, { cause: err });
  }
}

/** Open's sender types, as in history (src/domain/sessions/session-views.ts). */
const SENDER_TYPES = { contact: 'contact', ai: 'ai', agent: 'human_agent', system: 'ai' } as const;

/**
 * Open's envelope `{ event, organization_id, data }`. `data` is the event row's own data (ids, reason, closed_by…)
 * plus what a receiver would otherwise fetch: the session, its contact and, for message events, the message,
 * read at delivery time.
 */
export async function eventEnvelope(db: Db, event: typeof events.$inferSelect) {
  const data: Record<string, unknown> = { ...event.data, occurred_at: event.createdAt.toISOString() };
  const sessionId = event.sessionId ?? (typeof data.session_id === 'string' ? data.session_id : undefined);
  if (sessionId) {
    const [s] = await db
      .select({ session: sessions, channel: channels.type, contact: { id: contacts.id, name: contacts.name, email: contacts.email } })
      .from(sessions)
      .innerJoin(channels, eq(channels.id, sessions.channelId))
      .innerJoin(contacts, eq(contacts.id, sessions.contactId))
      .where(and(eq(sessions.orgId, event.orgId), eq(sessions.id, sessionId)));
    if (s) {
      const { id, status, ticketNumber, handedOff, assigneeId } = s.session;
      data.session = { id, status, ticket_number: ticketNumber, channel: { type: s.channel }, handed_off: handedOff, assignee_id: assigneeId };
      data.contact = s.contact;
    }
  }
  if (typeof data.message_id === 'string') {
    const [m] = await db
      .select()
      .from(messages)
      .where(and(eq(messages.orgId, event.orgId), eq(messages.id, data.message_id)));
    if (m) {
      const sender = { type: SENDER_TYPES[m.sender], ...(m.senderName ? { name: m.senderName } : {}) };
      const delivery = m.deliveryStatus ? { delivery_status: m.deliveryStatus, error: m.error } : {};
      data.message = { id: m.id, text: m.text, sender, created_at: m.createdAt.toISOString(), ...delivery };
    }
  }
  return { event: event.type, organization_id: event.orgId, data };
}
