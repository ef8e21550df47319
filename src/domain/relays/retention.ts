import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { events, webhookDeliveries } from '../../db/schema/index.ts';

// History the storage sweeper (src/domain/files/storage-sweeper.ts) deletes once it is older than its retention
// (RETENTION_EVENTS_DAYS, RETENTION_DELIVERIES_DAYS; README "Configuration"): event log rows and webhook delivery
// attempts. Never what is still work: an event the event relay has not fanned out (fanned_out_at is null,
// src/domain/relays/event-fanout.ts), an event or attempt whose delivery is in flight or has a retry scheduled, nor
// the events of a session still open (the route worker reads its `conversation.queued`). Deleted in batches, each
// its own short statement, so a large backlog never holds a long lock; a sweep stops after MAX_BATCHES and the next
// one goes on. A delivery attempt goes with its event (webhook_deliveries.event_id cascades).

export const RETENTION_BATCH = 1000;
const MAX_BATCHES = 100;
const DAY_MS = 24 * 3600 * 1000;

export const retentionCutoff = (days: number, now: Date = new Date()) => new Date(now.getTime() - days * DAY_MS);

/**
 * Whether a delivery that `pair` picks (a condition on `l`, its attempts) is still under way: its latest attempt is
 * in flight (pending) or has a retry scheduled (next_attempt_at, cleared on the last attempt).
 */
const stillDelivering = (pair: SQL) => sql`exists (
  select 1 from webhook_deliveries l
  where ${pair}
    and (l.status = 'pending' or l.next_attempt_at is not null)
    and not exists (
      select 1 from webhook_deliveries n
      where n.endpoint_id = l.endpoint_id and n.event_id = l.event_id and n.attempt > l.attempt
    )
)`;

/** Deletes up to RETENTION_BATCH × MAX_BATCHES events older than `cutoff` that are no longer work; returns how many. */
export async function pruneEvents(db: Db, cutoff: Date): Promise<number> {
  // An ISO string, cast: postgres.js takes no Date inside a raw sql template (drizzle maps Dates only for columns).
  const batch = sql`
    select e.id from events e
    where e.created_at < ${cutoff.toISOString()}::timestamptz
      and e.fanned_out_at is not null
      and not exists (select 1 from sessions s where s.id = e.session_id and s.status = 'open')
      and not ${stillDelivering(sql`l.event_id = e.id`)}
    limit ${RETENTION_BATCH}`;
  return inBatches(() => db.delete(events).where(sql`${events.id} in (${batch})`).returning({ id: events.id }));
}

/** Deletes up to RETENTION_BATCH × MAX_BATCHES delivery attempts older than `cutoff` of finished deliveries. */
export async function pruneDeliveries(db: Db, cutoff: Date): Promise<number> {
  const batch = sql`
    select d.id from webhook_deliveries d
    where d.created_at < ${cutoff.toISOString()}::timestamptz
      and not ${stillDelivering(sql`l.endpoint_id = d.endpoint_id and l.event_id = d.event_id`)}
    limit ${RETENTION_BATCH}`;
  return inBatches(() =>
    db.delete(webhookDeliveries).where(sql`${webhookDeliveries.id} in (${batch})`).returning({ id: webhookDeliveries.id }),
  );
}

async function inBatches(deleteBatch: () => Promise<unknown[]>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const gone = (await deleteBatch()).length;
    total += gone;
    if (gone < RETENTION_BATCH) break;
  }
  return total;
}
