import { randomUUID } from 'node:crypto';
import { and, desc, eq, gte, inArray, or, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { contactIdentities, contacts, events, messages, organizations, sessions } from '../../db/schema/index.ts';
import type { MessageJobRef } from '../../queue/enqueue.ts';
import { writeLines } from '../sessions/message-writer.ts';
import { type FromChannel, type IngestResult, toLine } from './ingest-input.ts';

// Group commit for messages arriving on a channel (provider webhooks, web visitors): a batch of them, new senders
// and returning ones alike, in a handful of multi-row statements instead of ~14 statements each. It does exactly
// what the single path (ingest.ts) does for the common case and hands everything else back to it:
// - a (channel, external id) stored already, or twice in the batch, is the duplicate it is;
// - a sender whose identity is unknown gets a contact (matched by email or phone first, as findOrCreateContact),
//   the identity and a new session, with ticket numbers taken from the organization's counter in one UPDATE;
// - a returning sender's open session is found under the contact's row lock, as the single path does.
// A sender whose current session is closed (to reopen: a status change and an event) goes the single path, and
// so does the whole batch when a concurrent writer got to a unique key first (Unsettled): the single path
// resolves those races one message at a time.

export class Unsettled extends Error {
  // Named: from the database thread it arrives as a plain error carrying this name (src/db/pglite-thread.ts).
  override name = 'Unsettled';
  constructor(what: string) {
    super(`group commit: ${what}; the batch goes one by one`);
  }
}

/** Per input: its result, or undefined to take the single path. */
export type ChannelOutcome = IngestResult | undefined;

const senderKey = (i: FromChannel) =>
  i.identity ? `${i.orgId}|${i.channel.type}|${i.identity.address}` : `${i.orgId}|id|${i.contactId}`;
/** No thread is not the empty thread: NUL cannot be in a provider's thread id. */
const threadKey = (t: string | null | undefined) => t ?? '\u0000';
const sessionKey = (i: FromChannel, contactId: string) => `${i.channel.id}|${contactId}|${threadKey(i.externalThreadId)}`;
const copyKey = (channelId: string, externalId: string) => `${channelId}|${externalId}`;

export async function writeChannelBatch(
  tx: Tx,
  inputs: FromChannel[],
  reopenSince: Date,
): Promise<{ outcomes: ChannelOutcome[]; jobs: MessageJobRef[] }> {
  const outcomes: ChannelOutcome[] = new Array(inputs.length).fill(undefined);
  // 1. Copies stored already, and copies repeated inside the batch (the later one is the duplicate).
  const stored = await storedCopies(tx, inputs);
  const firstOf = new Map<string, number>();
  const live: number[] = [];
  const repeats: Array<[number, number]> = [];
  inputs.forEach((input, i) => {
    if (input.externalId === undefined) return live.push(i);
    const key = copyKey(input.channel.id, input.externalId);
    const copy = stored.get(key);
    if (copy) {
      const { messageId, sessionId, contactId } = copy;
      return void (outcomes[i] = { messageId, sessionId, contactId, channel: input.channel, duplicate: true, sessionCreated: false });
    }
    const first = firstOf.get(key);
    if (first !== undefined) return void repeats.push([i, first]);
    firstOf.set(key, i);
    live.push(i);
  });

  // 2. Who sent each: known identities, else contacts matched or created, and their identities.
  const contactOf = await resolveSenders(tx, live.map((i) => inputs[i]!));
  // 3. Their current sessions, under the contacts' row locks; a session to reopen sends its sender the single way.
  const current = await currentSessions(tx, live.map((i) => inputs[i]!), contactOf, reopenSince);
  const toSingle = new Set<string>();
  for (const i of live) {
    const input = inputs[i]!;
    const s = current.get(sessionKey(input, contactOf.get(senderKey(input))!));
    if (s && s.status !== 'open' && input.sender === 'contact') toSingle.add(senderKey(input));
  }
  const batch = live.filter((i) => !toSingle.has(senderKey(inputs[i]!)));
  // 4. New sessions, one per sender and thread, numbered from the organization's counter.
  const opened = await openSessions(tx, batch.map((i) => inputs[i]!), contactOf, current);

  // 5. The messages, in batch order, by the one message writer.
  const placed = batch.map((i) => {
    const input = inputs[i]!;
    const contactId = contactOf.get(senderKey(input))!;
    const key = sessionKey(input, contactId);
    const sessionId = current.get(key)?.id ?? opened.get(key)!;
    return { i, contactId, sessionId, line: toLine(input, { sessionId, channel: input.channel }) };
  });
  const written = await writeLines(tx, placed.map((p) => p.line));
  const jobs: MessageJobRef[] = [];
  const createdFor = new Set<string>();
  placed.forEach((p, k) => {
    const w = written[k];
    // A concurrent writer stored this (channel, external id) after step 1: the sessions made for it would be
    // left empty. Roll the batch back; the single path reports the duplicate.
    if (!w) throw new Unsettled('a message was stored concurrently');
    const input = inputs[p.i]!;
    const sessionCreated = !current.has(sessionKey(input, p.contactId)) && !createdFor.has(p.sessionId);
    if (sessionCreated) createdFor.add(p.sessionId);
    outcomes[p.i] = { messageId: w.messageId, sessionId: p.sessionId, contactId: p.contactId, channel: input.channel, duplicate: false, sessionCreated };
    if (w.job) jobs.push(w.job);
  });
  for (const [i, first] of repeats) {
    const o = outcomes[first];
    outcomes[i] = o && { ...o, duplicate: true, sessionCreated: false };
  }
  return { outcomes, jobs };
}

async function storedCopies(tx: Tx, inputs: FromChannel[]) {
  const withIds = inputs.filter((i) => i.externalId !== undefined);
  if (withIds.length === 0) return new Map<string, { messageId: string; sessionId: string; contactId: string }>();
  const rows = await tx
    .select({ channelId: messages.channelId, externalId: messages.externalId, messageId: messages.id, sessionId: messages.sessionId, contactId: sessions.contactId })
    .from(messages)
    .innerJoin(sessions, eq(sessions.id, messages.sessionId))
    .where(
      and(
        inArray(messages.channelId, [...new Set(withIds.map((i) => i.channel.id))]),
        inArray(messages.externalId, withIds.map((i) => i.externalId!)),
      ),
    );
  return new Map(rows.map((r) => [copyKey(r.channelId!, r.externalId!), r]));
}

/** senderKey → contact id, for every input: identities found, else contacts matched or created with them. */
async function resolveSenders(tx: Tx, inputs: FromChannel[]): Promise<Map<string, string>> {
  const contactOf = new Map<string, string>();
  const byAddress = new Map<string, FromChannel>();
  for (const i of inputs) {
    if (i.contactId !== undefined) contactOf.set(senderKey(i), i.contactId);
    else if (!byAddress.has(senderKey(i))) byAddress.set(senderKey(i), i);
  }
  if (byAddress.size === 0) return contactOf;
  const wanted = [...byAddress.values()];
  const found = await tx
    .select({ orgId: contactIdentities.orgId, channelType: contactIdentities.channelType, address: contactIdentities.address, contactId: contactIdentities.contactId })
    .from(contactIdentities)
    .where(
      and(
        inArray(contactIdentities.orgId, [...new Set(wanted.map((i) => i.orgId))]),
        inArray(contactIdentities.channelType, [...new Set(wanted.map((i) => i.channel.type))]),
        inArray(contactIdentities.address, wanted.map((i) => i.identity!.address)),
      ),
    );
  for (const r of found) contactOf.set(`${r.orgId}|${r.channelType}|${r.address}`, r.contactId);
  const unknown = wanted.filter((i) => !contactOf.has(senderKey(i)));
  if (unknown.length === 0) return contactOf;

  const matched = await matchContacts(tx, unknown);
  const fresh = unknown.filter((i) => !matched.has(senderKey(i))).map((i) => ({ input: i, id: randomUUID() }));
  if (fresh.length > 0) {
    const inserted = await tx
      .insert(contacts)
      .values(fresh.map(({ input: { orgId, contact: d }, id }) => ({
        id, orgId, name: d?.name ?? null, email: d?.email ?? null, phoneNumber: d?.phone ?? null,
        avatarUrl: d?.avatarUrl ?? null, customData: d?.customData ?? {},
      })))
      .onConflictDoNothing()
      .returning({ id: contacts.id });
    // An email taken meanwhile (or twice in the batch): findOrCreateContact's retry, on the single path.
    if (inserted.length !== fresh.length) throw new Unsettled('a contact email is taken');
  }
  const ids = new Map([...matched, ...fresh.map((f) => [senderKey(f.input), f.id] as const)]);
  const identities = await tx
    .insert(contactIdentities)
    .values(unknown.map((i) => ({ orgId: i.orgId, contactId: ids.get(senderKey(i))!, channelType: i.channel.type, address: i.identity!.address })))
    .onConflictDoNothing()
    .returning({ contactId: contactIdentities.contactId });
  if (identities.length !== unknown.length) throw new Unsettled('an identity was created concurrently');
  for (const [key, id] of ids) contactOf.set(key, id);
  return contactOf;
}

/** As findOrCreateContact: an existing contact of the organization with the sender's email, else their phone. */
async function matchContacts(tx: Tx, unknown: FromChannel[]): Promise<Map<string, string>> {
  const emails = unknown.flatMap((i) => (i.contact?.email ? [i.contact.email.toLowerCase()] : []));
  const phones = unknown.flatMap((i) => (!i.contact?.email && i.contact?.phone ? [i.contact.phone] : []));
  if (emails.length === 0 && phones.length === 0) return new Map();
  const rows = await tx
    .select({ id: contacts.id, orgId: contacts.orgId, email: sql<string | null>`lower(${contacts.email})`, phone: contacts.phoneNumber })
    .from(contacts)
    .where(
      and(
        inArray(contacts.orgId, [...new Set(unknown.map((i) => i.orgId))]),
        or(
          emails.length ? inArray(sql`lower(${contacts.email})`, emails) : sql`false`,
          phones.length ? inArray(contacts.phoneNumber, phones) : sql`false`,
        ),
      ),
    );
  const matched = new Map<string, string>();
  for (const i of unknown) {
    const email = i.contact?.email?.toLowerCase();
    const row = email
      ? rows.find((r) => r.orgId === i.orgId && r.email === email)
      : rows.find((r) => r.orgId === i.orgId && i.contact?.phone !== undefined && r.phone === i.contact.phone);
    if (row) matched.set(senderKey(i), row.id);
  }
  return matched;
}

type SessionRow = typeof sessions.$inferSelect;

/** sessionKey → the sender's current session on that channel and thread (open first, else the latest closed). */
async function currentSessions(tx: Tx, inputs: FromChannel[], contactOf: Map<string, string>, reopenSince: Date) {
  const current = new Map<string, SessionRow>();
  const contactIds = [...new Set(inputs.map((i) => contactOf.get(senderKey(i))!))];
  if (contactIds.length === 0) return current;
  // The single path's lock (findCurrentSession): one writer at a time finds or opens a contact's session.
  await tx.select({ id: contacts.id }).from(contacts).where(inArray(contacts.id, contactIds)).orderBy(contacts.id).for('update');
  const rows = await tx
    .select()
    .from(sessions)
    .where(
      and(
        inArray(sessions.contactId, contactIds),
        inArray(sessions.channelId, [...new Set(inputs.map((i) => i.channel.id))]),
        or(eq(sessions.status, 'open'), gte(sessions.closedAt, reopenSince)),
      ),
    )
    .orderBy(sql`${sessions.status} = 'open' desc`, desc(sessions.closedAt));
  for (const s of rows) {
    const key = `${s.channelId}|${s.contactId}|${threadKey(s.externalThreadId)}`;
    if (!current.has(key)) current.set(key, s);
  }
  return current;
}

/** A session for each sender and thread without one, numbered from its organization's counter; sessionKey → id. */
async function openSessions(tx: Tx, inputs: FromChannel[], contactOf: Map<string, string>, current: Map<string, SessionRow>) {
  const toOpen = new Map<string, { input: FromChannel; contactId: string; id: string }>();
  for (const input of inputs) {
    const contactId = contactOf.get(senderKey(input))!;
    const key = sessionKey(input, contactId);
    if (!current.has(key) && !toOpen.has(key)) toOpen.set(key, { input, contactId, id: randomUUID() });
  }
  const opened = new Map<string, string>();
  if (toOpen.size === 0) return opened;
  const perOrg = new Map<string, number>();
  for (const { input } of toOpen.values()) perOrg.set(input.orgId, (perOrg.get(input.orgId) ?? 0) + 1);
  const next = new Map<string, number>();
  for (const [orgId, n] of perOrg) {
    const [org] = await tx
      .update(organizations)
      .set({ ticketSeq: sql`${organizations.ticketSeq} + ${n}` })
      .where(eq(organizations.id, orgId))
      .returning({ ticketSeq: organizations.ticketSeq });
    next.set(orgId, org!.ticketSeq - n + 1);
  }
  const rows = [...toOpen.values()].map(({ input, contactId, id }) => {
    const ticketNumber = next.get(input.orgId)!;
    next.set(input.orgId, ticketNumber + 1);
    return {
      id, orgId: input.orgId, channelId: input.channel.id, contactId, ticketNumber,
      externalThreadId: input.externalThreadId ?? null, subject: input.subject ?? null, customData: input.sessionCustomData ?? {},
      verified: false,
    };
  });
  await tx.insert(sessions).values(rows);
  await tx.insert(events).values(rows.map((r) => ({
    orgId: r.orgId, sessionId: r.id, type: 'conversation.started',
    data: { session_id: r.id, contact_id: r.contactId, channel_id: r.channelId },
  })));
  for (const [key, { id }] of toOpen) opened.set(key, id);
  return opened;
}
