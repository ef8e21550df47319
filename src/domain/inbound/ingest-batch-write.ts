import { eq, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { channels, sessions } from '../../db/schema/index.ts';
import { NotFoundError } from '../../errors.ts';
import type { MessageJobRef } from '../../queue/enqueue.ts';
import { type ChannelOutcome, writeChannelBatch } from './ingest-batch-channel.ts';
import type { FromChannel, IngestResult, IntoSession, SystemLine } from './ingest-input.ts';
import { toLine } from './ingest-input.ts';
import { writeLines } from '../sessions/message-writer.ts';

// The group commit's transaction (ingest-batch.ts queues, this writes). It takes and gives plain data only, so it
// can run where the data is: in the embedded database's own thread (Database.near, src/db/pglite-thread.ts),
// where its dozen statements do not each wait for the server's busy event loop — that wait, not the writing, was
// most of a batch's time (issue 17: ~70 ms a batch whether it held 1 message or 49).

export type IntoKnown = IntoSession | SystemLine;
export type Batchable = IntoKnown | FromChannel;
/** Per input: its result, `notFound` (its session is not the organization's), or null (take the single path). */
export type BatchOutcome = IngestResult | { notFound: string } | null;
export interface BatchCommit {
  outcomes: BatchOutcome[];
  jobs: MessageJobRef[];
}

/** One transaction for the whole batch. `reopenSinceMs`: a closed session younger than this reopens. */
export async function commitBatch(db: Db, inputs: Batchable[], reopenSinceMs: number): Promise<BatchCommit> {
  const { outcomes, jobs } = await db.transaction((tx) => writeBatch(tx, inputs, new Date(reopenSinceMs)));
  return { outcomes: outcomes.map((o) => (o instanceof NotFoundError ? { notFound: 'Chat session' } : (o ?? null))), jobs };
}

type Outcome = IngestResult | NotFoundError | undefined;

/** Both kinds in one transaction; outcomes in the inputs' order. */
async function writeBatch(tx: Tx, inputs: Batchable[], reopenSince: Date): Promise<{ outcomes: Outcome[]; jobs: MessageJobRef[] }> {
  const known: number[] = [];
  const arriving: number[] = [];
  inputs.forEach((input, i) => (input.kind === 'from-channel' ? arriving : known).push(i));
  const outcomes: Outcome[] = new Array(inputs.length).fill(undefined);
  const jobs: MessageJobRef[] = [];
  const merge = (at: number[], r: { outcomes: Array<Outcome | ChannelOutcome>; jobs: MessageJobRef[] }) => {
    at.forEach((i, k) => (outcomes[i] = r.outcomes[k]));
    jobs.push(...r.jobs);
  };
  // Contacts' locks before sessions', as the single path takes them: no deadlock between the two.
  if (arriving.length) merge(arriving, await writeChannelBatch(tx, arriving.map((i) => inputs[i] as FromChannel), reopenSince));
  if (known.length) merge(known, await writeKnownBatch(tx, known.map((i) => inputs[i] as IntoKnown)));
  return { outcomes, jobs };
}

async function writeKnownBatch(tx: Tx, inputs: IntoKnown[]): Promise<{ outcomes: Outcome[]; jobs: MessageJobRef[] }> {
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

  const places = inputs.map((input) => {
    const s = byId.get(input.sessionId);
    if (!s || s.orgId !== input.orgId) return new NotFoundError('Chat session');
    // Reopening writes a status change first: the single path does that.
    if (input.kind === 'into-session' && input.sender === 'contact' && s.status !== 'open') return undefined;
    return s;
  });
  const toWrite = inputs.flatMap((input, i) => {
    const s = places[i];
    return s && !(s instanceof Error) ? [{ i, s, line: toLine(input, { sessionId: s.id, channel: s.channel }) }] : [];
  });
  // No external ids in a batch, so every line is written.
  const written = await writeLines(tx, toWrite.map((w) => w.line));
  const outcomes: Outcome[] = places.map((s) => (s instanceof Error ? s : undefined));
  const jobs: MessageJobRef[] = [];
  toWrite.forEach(({ i, s }, k) => {
    const { messageId, job } = written[k]!;
    outcomes[i] = { messageId, sessionId: s.id, contactId: s.contactId, channel: s.channel, duplicate: false, sessionCreated: false };
    if (job) jobs.push(job);
  });
  return { outcomes, jobs };
}
