import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, contactIdentities, messages, sessions } from '../../src/db/schema/index.ts';
import { ingest } from '../../src/domain/inbound/ingest.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { NotFoundError } from '../../src/errors.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// Group commit: concurrent messages into known sessions share one transaction. Each must come out exactly as
// if it had been written alone — counts, custom_data merges, jobs — and a bad one must not fail its neighbours.

let t: TestApp;
const sessionIds: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  for (let i = 0; i < 4; i++) {
    const res = await t.call('POST', '/chat/sessions', { contact: { email: `b${i}@example.com` }, custom_data: { n: 0 } });
    sessionIds.push(((await res.json()) as { id: string }).id);
  }
});
afterAll(() => t.close());

const send = (sessionId: string, i: number, extra: object = {}) =>
  ingest(t.deps, { kind: 'into-session', orgId: t.orgId, sessionId, sender: 'contact', text: `m${i}`, sessionCustomData: { n: i }, ...extra });

describe('group commit', () => {
  it('writes concurrent messages from new senders, repeats and copies exactly as one at a time would', async () => {
    const [channel] = await t.database.db.select().from(channels).where(eq(channels.orgId, t.orgId)).limit(1);
    const on = { id: channel!.id, type: channel!.type };
    const arrive = (sender: number, n: number) =>
      ingest(t.deps, {
        kind: 'from-channel', orgId: t.orgId, channel: on, sender: 'contact', text: `s${sender} #${n}`,
        identity: { address: `+1555000${String(sender).padStart(4, '0')}` }, contact: { phone: `+1555000${String(sender).padStart(4, '0')}` },
        externalId: `gc-${sender}-${n}`,
      });
    // 20 new senders, 2 messages each, and a copy of every first message (a provider's retry), all at once.
    const calls = Array.from({ length: 20 }, (_, s) => [arrive(s, 1), arrive(s, 2), arrive(s, 1)]).flat();
    const results = await Promise.all(calls);
    for (let s = 0; s < 20; s++) {
      const [first, second, copy] = results.slice(s * 3, s * 3 + 3);
      expect(first!.duplicate).toBe(false);
      expect(second!.duplicate).toBe(false);
      expect(copy).toMatchObject({ duplicate: true, messageId: first!.messageId, sessionId: first!.sessionId });
      expect(second!.sessionId).toBe(first!.sessionId);
      expect(second!.contactId).toBe(first!.contactId);
      const [session] = await t.database.db.select().from(sessions).where(eq(sessions.id, first!.sessionId));
      expect(session!.messageCount).toBe(2);
      const texts = await t.database.db.select({ text: messages.text }).from(messages).where(eq(messages.sessionId, first!.sessionId)).orderBy(messages.seq);
      expect(texts.map((m) => m.text)).toEqual([`s${s} #1`, `s${s} #2`]);
    }
    expect(results.filter((r) => r.sessionCreated)).toHaveLength(20);
    const ids = await t.database.db.select().from(contactIdentities).where(eq(contactIdentities.orgId, t.orgId));
    expect(ids.filter((i) => i.address.startsWith('+1555000'))).toHaveLength(20);
    const tickets = await t.database.db.select({ n: sessions.ticketNumber }).from(sessions).where(eq(sessions.orgId, t.orgId));
    expect(new Set(tickets.map((r) => r.n)).size).toBe(tickets.length);
    // Every new message got its turn; the copies none of their own.
    for (const r of results.filter((r) => !r.duplicate)) expect(await t.deps.queues.turn.getJob(`turn-${r.messageId}`)).toBeDefined();
    // A sender writing again later finds the same session.
    const later = await arrive(3, 3);
    expect(later.sessionId).toBe(results[9]!.sessionId);
  });

  it('writes 120 concurrent messages into 4 sessions with exact counts, last custom_data and one turn each', async () => {
    const results = await Promise.all(Array.from({ length: 120 }, (_, i) => send(sessionIds[i % 4]!, i)));
    expect(new Set(results.map((r) => r.messageId)).size).toBe(120);
    for (const [k, id] of sessionIds.entries()) {
      const [s] = await t.database.db.select().from(sessions).where(eq(sessions.id, id));
      expect(s!.messageCount).toBe(30);
      // Patches merge in arrival order: the last message of each session (i = 116..119) wins.
      expect(s!.customData).toEqual({ n: 116 + k });
      const rows = await t.database.db.select().from(messages).where(eq(messages.sessionId, id));
      expect(rows.filter((m) => m.turnState === 'pending')).toHaveLength(30);
    }
    for (const r of results) {
      expect(r.channel.type).toBe('api');
      expect((await t.deps.queues.turn.getJob(`turn-${r.messageId}`))?.data.messageId).toBe(r.messageId);
    }
  });

  it('fails only the message aimed at another organization’s session', async () => {
    const other = await createOrganization(t.deps, 'Other org');
    const results = await Promise.allSettled([
      send(sessionIds[0]!, 1000),
      ingest(t.deps, { kind: 'into-session', orgId: other.id, sessionId: sessionIds[1]!, sender: 'contact', text: 'intruder' }),
      send(sessionIds[2]!, 1001),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
    const rows = await t.database.db.select().from(messages).where(eq(messages.text, 'intruder'));
    expect(rows).toHaveLength(0);
  });

  it('reopens a closed session when its contact writes, with the status change before the message', async () => {
    const id = sessionIds[3]!;
    expect((await t.call('PATCH', `/chat/sessions/${id}`, { status: 'closed_resolved' })).status).toBe(200);
    const [a, b] = await Promise.all([send(id, 2000), send(id, 2001)]);
    const [s] = await t.database.db.select().from(sessions).where(eq(sessions.id, id));
    expect(s).toMatchObject({ status: 'open', closedAt: null });
    const history = await t.database.db.select().from(messages).where(eq(messages.sessionId, id)).orderBy(messages.seq);
    const tail = history.slice(-4).map((m) => m.eventType);
    // closed, reopened once (not twice), then both messages
    expect(tail).toEqual(['status_changed', 'status_changed', 'message', 'message']);
    expect(new Set([a.messageId, b.messageId]).size).toBe(2);
  });
});
