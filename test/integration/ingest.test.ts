import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { channels, contactIdentities, messages, sessions } from '../../src/db/schema/index.ts';
import { closeDeps, createDeps, type Deps } from '../../src/deps.ts';
import { ingest, type IngestInput } from '../../src/domain/inbound/ingest.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { relayPendingJobs } from '../../src/domain/relays/outbox.ts';
import { createLogger } from '../../src/logger.ts';
import { freshDatabase, freshQueuePrefix, redisUrl } from '../helpers/services.ts';

// The ingest spine against real Redis and a real database: one transaction, dedupe on (channel, external id),
// and exactly one turn job per accepted customer message — also when Redis was unreachable at commit time.

const logger = createLogger('silent');
const config = (prefix: string) =>
  loadConfig({ DATA_DIR: '/tmp/unused', SWITCHBOARD_SECRET: 'x'.repeat(32), QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' });

let database: Database;
let deps: Deps;
let orgId: string;
let channel: { id: string; type: 'api' };

beforeAll(async () => {
  database = await freshDatabase();
  deps = createDeps(config(freshQueuePrefix()), logger, database, redisUrl());
  orgId = (await createOrganization(deps, 'Ingest org')).id;
  const [row] = await database.db.select().from(channels).where(and(eq(channels.orgId, orgId), eq(channels.type, 'api')));
  channel = { id: row!.id, type: 'api' };
});

afterAll(async () => {
  await deps.queues.turn.obliterate({ force: true });
  await closeDeps(deps);
  await database.close();
});

const inbound = (externalId: string, address = '+15550001111', text = 'hello'): IngestInput => ({
  kind: 'from-channel',
  orgId,
  channel,
  identity: { address },
  contact: { name: 'Ada' },
  sender: 'contact',
  externalId,
  text,
  raw: { provider: 'test' },
});

async function turnJobIds(): Promise<string[]> {
  const jobs = await deps.queues.turn.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
  return jobs.map((j) => j.id!).sort();
}

describe('ingest', () => {
  it('opens contact, identity and session, stores the message pending its turn, and queues one turn job', async () => {
    const r = await ingest(deps, inbound('ext-1'));
    expect(r).toMatchObject({ duplicate: false, sessionCreated: true });
    const [msg] = await database.db.select().from(messages).where(eq(messages.id, r.messageId));
    expect(msg).toMatchObject({ sessionId: r.sessionId, direction: 'in', sender: 'contact', text: 'hello', turnState: 'pending' });
    const [ident] = await database.db.select().from(contactIdentities).where(eq(contactIdentities.contactId, r.contactId));
    expect(ident).toMatchObject({ channelType: 'api', address: '+15550001111' });
    const job = await deps.queues.turn.getJob(`turn-${r.messageId}`);
    expect(job?.data).toEqual({ orgId, sessionId: r.sessionId, messageId: r.messageId });
    expect(job?.name).toBe('api');
  });

  it('stores a provider retry once and queues nothing more', async () => {
    const first = await ingest(deps, inbound('ext-2'));
    const again = await ingest(deps, inbound('ext-2'));
    expect(again).toEqual({ ...first, duplicate: true, sessionCreated: false });
    const rows = await database.db
      .select()
      .from(messages)
      .where(and(eq(messages.channelId, channel.id), eq(messages.externalId, 'ext-2')));
    expect(rows).toHaveLength(1);
    expect((await turnJobIds()).filter((id) => id === `turn-${first.messageId}`)).toHaveLength(1);
  });

  it('keeps concurrent copies of one provider message to one row', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => ingest(deps, inbound('ext-race'))));
    expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
  });

  it('continues the open session of the same identity and opens a new one for another person', async () => {
    const a1 = await ingest(deps, inbound('ext-3', '+15550002222'));
    const a2 = await ingest(deps, inbound('ext-4', '+15550002222', 'more'));
    const b = await ingest(deps, inbound('ext-5', '+15550003333'));
    expect(a2.sessionId).toBe(a1.sessionId);
    expect(a2.sessionCreated).toBe(false);
    expect(b.sessionId).not.toBe(a1.sessionId);
    expect(b.contactId).not.toBe(a1.contactId);
    const rows = await database.db.select().from(sessions).where(eq(sessions.id, a1.sessionId));
    expect(rows[0]!.messageCount).toBe(2);
    const tickets = (await database.db.select().from(sessions).where(eq(sessions.orgId, orgId))).map((s) => s.ticketNumber);
    expect(new Set(tickets).size).toBe(tickets.length);
  });

  it('commits while Redis is unreachable, and the relay then queues exactly one job', async () => {
    const down = createDeps(config(deps.config.queuePrefix), logger, database, 'redis://127.0.0.1:1');
    const r = await ingest(down, inbound('ext-offline', '+15550004444'));
    expect(r.duplicate).toBe(false);
    expect(await deps.queues.turn.getJob(`turn-${r.messageId}`)).toBeUndefined();
    await closeDeps(down);

    const opts = { graceMs: 0, staleMs: 3_600_000 };
    expect(await relayPendingJobs(database.db, deps.queues, opts)).toBeGreaterThanOrEqual(1);
    expect(await deps.queues.turn.getJob(`turn-${r.messageId}`)).toBeDefined();
    expect(await relayPendingJobs(database.db, deps.queues, opts)).toBe(0);
    const [msg] = await database.db.select().from(messages).where(eq(messages.id, r.messageId));
    expect(msg!.jobEnqueuedAt).toBeInstanceOf(Date);
    expect((await turnJobIds()).filter((id) => id === `turn-${r.messageId}`)).toHaveLength(1);
  });

  it('only marks, never re-adds, a message whose job is in Redis but whose mark was lost (marker lag, a crash)', async () => {
    const r = await ingest(deps, inbound('ext-mark-lost', '+15550004545'));
    await deps.marker.flush();
    // The mark never reached the database.
    await database.db.update(messages).set({ jobEnqueuedAt: null }).where(eq(messages.id, r.messageId));
    expect(await relayPendingJobs(database.db, deps.queues, { graceMs: 0, staleMs: 3_600_000 })).toBe(0);
    const [msg] = await database.db.select().from(messages).where(eq(messages.id, r.messageId));
    expect(msg!.jobEnqueuedAt).toBeInstanceOf(Date);
    expect(await deps.queues.turn.getJob(`turn-${r.messageId}`)).toBeDefined();
  });

  it('gives an agent reply committed while Redis is down its dispatch job through the relay, and a note none', async () => {
    const first = await ingest(deps, inbound('ext-agent-session', '+15550005555'));
    const down = createDeps(config(deps.config.queuePrefix), logger, database, 'redis://127.0.0.1:1');
    const reply = await ingest(down, { kind: 'into-session', orgId, sessionId: first.sessionId, sender: 'agent', text: 'On it!' });
    const note = await ingest(down, { kind: 'into-session', orgId, sessionId: first.sessionId, sender: 'agent', text: 'vip', private: true });
    await closeDeps(down);
    const [row] = await database.db.select().from(messages).where(eq(messages.id, reply.messageId));
    expect(row).toMatchObject({ direction: 'out', deliveryStatus: 'queued', turnState: 'none' });

    await relayPendingJobs(database.db, deps.queues, { graceMs: 0, staleMs: 3_600_000 });
    const job = await deps.queues.dispatch.getJob(`dispatch-${reply.messageId}`);
    expect(job?.data).toEqual({ orgId, sessionId: first.sessionId, messageId: reply.messageId });
    expect(await deps.queues.dispatch.getJob(`dispatch-${note.messageId}`)).toBeUndefined();
    expect(await deps.queues.turn.getJob(`turn-${reply.messageId}`)).toBeUndefined();
  });

  it('reopens a session its customer closed recently, and opens a new one after the reopen window', async () => {
    const first = await ingest(deps, inbound('ext-reopen-1', '+15550006666'));
    const close = (at: Date) =>
      database.db.update(sessions).set({ status: 'closed_resolved', closedAt: at, insights: { topics: [] } }).where(eq(sessions.id, first.sessionId));

    await close(new Date(Date.now() - 3600_000));
    const again = await ingest(deps, inbound('ext-reopen-2', '+15550006666'));
    expect(again).toMatchObject({ sessionId: first.sessionId, sessionCreated: false });
    const [reopened] = await database.db.select().from(sessions).where(eq(sessions.id, first.sessionId));
    expect(reopened).toMatchObject({ status: 'open', closedAt: null, insights: null });
    const kinds = (await database.db.select().from(messages).where(eq(messages.sessionId, first.sessionId)).orderBy(messages.seq)).map(
      (m) => m.eventType,
    );
    expect(kinds).toEqual(['message', 'status_changed', 'message']);

    await close(new Date(Date.now() - deps.config.sessions.reopenWindowMs - 60_000));
    const later = await ingest(deps, inbound('ext-reopen-3', '+15550006666'));
    expect(later.sessionCreated).toBe(true);
    expect(later.sessionId).not.toBe(first.sessionId);
    expect(later.contactId).toBe(first.contactId);
  });
});
