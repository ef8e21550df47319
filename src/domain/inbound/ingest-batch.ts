import { randomUUID } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { channels, events, messages, sessions } from '../../db/schema/index.ts';
import { NotFoundError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { Queues } from '../../queue/queues.ts';
import type { CustomData } from '../contacts/custom-data.ts';
import type { IngestInput, IngestResult } from './ingest.ts';
import { eventNameFor, jobFor, messageRow } from './ingest-rows.ts';
import { type EnqueuedMarker, enqueueCommitted } from '../relays/outbox.ts';

// Group commit. Per-request transactions cap durable ingest at the database's statement rate (PGlite runs one
// statement at a time). Messages into known, open sessions that arrive while a batch is being written wait and
// go together: one transaction, a handful of multi-row statements for the whole batch, whatever its size.

/** The shape the batch writes: a message into a known session, with nothing else to resolve or change. */
export function isBatchable(input: IngestInput): boolean {
  return (
    input.sessionId !== undefined &&
    input.externalId === undefined &&
    input.contact === undefined &&
    input.identity === undefined &&
    !input.attachments?.length
  );
}

interface Pending {
  input: IngestInput & { sessionId: string };
  resolve(r: IngestResult | undefined): void;
  reject(err: unknown): void;
}

export interface BatcherDeps {
  db: Db;
  queues: Queues;
  marker: EnqueuedMarker;
  logger: Logger;
}

/**
 * Resolves with the committed (and enqueued) result, or undefined when the message must take the single path
 * (a closed session to reopen, or a failed batch). `inFlight` batches commit at once: 1 for PGlite, which has
 * one connection; more for a PostgreSQL pool.
 */
export class IngestBatcher {
  #queue: Pending[] = [];
  #running = 0;

  constructor(
    private readonly deps: BatcherDeps,
    private readonly inFlight = 1,
    private readonly maxBatch = 200,
  ) {}

  submit(input: IngestInput): Promise<IngestResult | undefined> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input: input as Pending['input'], resolve, reject });
      if (this.#running < this.inFlight) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running += 1;
    while (this.#queue.length > 0) {
      // Yield to I/O first. PGlite runs in this thread and a transaction's statements chain through microtasks,
      // so while one batch commits no new request is even read: without this pause every batch has one message.
      await new Promise((resolve) => setImmediate(resolve));
      const batch = this.#queue.splice(0, this.maxBatch);
      if (batch.length === 0) break;
      try {
        const outcomes = await this.deps.db.transaction((tx) => writeBatch(tx, batch.map((p) => p.input)));
        const jobs = batch.flatMap((p, i) => {
          const o = outcomes[i];
          const job = o && !(o instanceof Error) ? jobFor(p.input, o) : undefined;
          return job ? [job] : [];
        });
        await enqueueCommitted(this.deps, jobs);
        batch.forEach((p, i) => {
          const o = outcomes[i]!;
          if (o instanceof Error) p.reject(o);
          else p.resolve(o);
        });
      } catch (err) {
        // One bad message must not fail its neighbours: each retries alone on the single path.
        this.deps.logger.warn({ err: (err as Error).message, size: batch.length }, 'batch failed; messages go one by one');
        for (const p of batch) p.resolve(undefined);
      }
    }
    this.#running -= 1;
  }
}

type Outcome = IngestResult | NotFoundError | undefined;

async function writeBatch(tx: Tx, inputs: Pending['input'][]): Promise<Outcome[]> {
  const found = await tx
    .select({
      id: sessions.id,
      orgId: sessions.orgId,
      contactId: sessions.contactId,
      status: sessions.status,
      channel: { id: channels.id, type: channels.type },
    })
    .from(sessions)
    .innerJoin(channels, eq(channels.id, sessions.channelId))
    .where(inArray(sessions.id, [...new Set(inputs.map((i) => i.sessionId))]))
    .for('update', { of: sessions });
  const byId = new Map(found.map((s) => [s.id, s]));

  const outcomes: Outcome[] = inputs.map((input) => {
    const s = byId.get(input.sessionId);
    if (!s || s.orgId !== input.orgId) return new NotFoundError('Chat session');
    // Reopening writes a status change first: the single path does that.
    if (input.sender === 'contact' && s.status !== 'open') return undefined;
    const result: IngestResult = {
      messageId: randomUUID(),
      sessionId: s.id,
      contactId: s.contactId,
      channel: s.channel,
      duplicate: false,
      sessionCreated: false,
    };
    return result;
  });
  const written = inputs.flatMap((input, i) => {
    const o = outcomes[i];
    return o && !(o instanceof Error) ? [{ input, r: o }] : [];
  });
  if (written.length === 0) return outcomes;

  await tx
    .insert(messages)
    .values(written.map(({ input, r }) => messageRow(input, { sessionId: r.sessionId, channelId: r.channel.id, id: r.messageId })));
  await tx.insert(events).values(
    written.map(({ input, r }) => ({
      orgId: input.orgId,
      sessionId: r.sessionId,
      type: eventNameFor(input),
      data: { session_id: r.sessionId, message_id: r.messageId },
    })),
  );
  await touchSessions(tx, written.map((w) => w.input));
  return outcomes;
}

/** One UPDATE for all sessions of the batch: counts added, activity time, custom_data patches merged in order. */
async function touchSessions(tx: Tx, inputs: Pending['input'][]): Promise<void> {
  const per = new Map<string, { n: number; customData: CustomData }>();
  for (const input of inputs) {
    const entry = per.get(input.sessionId) ?? { n: 0, customData: {} };
    entry.n += 1;
    Object.assign(entry.customData, input.sessionCustomData);
    per.set(input.sessionId, entry);
  }
  const now = new Date().toISOString();
  const rows = [...per].map(
    ([id, e]) => sql`(${id}::uuid, ${e.n}::int, ${JSON.stringify(e.customData)}::jsonb)`,
  );
  await tx.execute(sql`
    update ${sessions} as s
    set message_count = s.message_count + v.n,
        custom_data = s.custom_data || v.custom_data,
        last_message_at = ${now}::timestamptz,
        updated_at = ${now}::timestamptz
    from (values ${sql.join(rows, sql`, `)}) as v(id, n, custom_data)
    where s.id = v.id`);
}
