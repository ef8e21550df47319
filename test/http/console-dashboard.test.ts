import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelRegistry } from '../../channels/registry.ts';
import { channels, contacts, csatSurveys, messages, sessions, teams } from '../../src/db/schema/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// GET /console/api/dashboard on a small dataset seeded straight into the tables (known times, known answers),
// and GET /console/api/channel-kinds.

type Json = Record<string, any>;
let t: TestApp;
let agentKey: string;
const now = Date.now();
const ago = (ms: number) => new Date(now - ms);
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const later = (d: Date, seconds: number) => new Date(d.getTime() + seconds * 1000);

// Creation times: within the 14-day window except `old`; two of them a few days back.
const at = { s1: ago(3 * DAY), s2: ago(2 * HOUR), s3: ago(3 * HOUR), s4: ago(4 * HOUR), s6: ago(3 * DAY + HOUR), old: ago(30 * DAY) };

beforeAll(async () => {
  t = await createTestApp();
  agentKey = (await t.json('POST', '/agents', { name: 'Ann', email: 'ann@acme.example', create_api_key: true })).body.api_key;
  const db = t.deps.db;
  const channelId = async (type: 'web' | 'api') =>
    (await db.select({ id: channels.id }).from(channels).where(and(eq(channels.orgId, t.orgId), eq(channels.type, type))))[0]!.id;
  const web = await channelId('web');
  const api = await channelId('api');
  const [billing] = await db.insert(teams).values({ orgId: t.orgId, name: 'Billing' }).returning({ id: teams.id });
  const [contact] = await db.insert(contacts).values({ orgId: t.orgId }).returning({ id: contacts.id });
  let ticket = 100;
  const session = async (channel: string, createdAt: Date, extra: Partial<typeof sessions.$inferInsert> = {}) => {
    const [row] = await db
      .insert(sessions)
      .values({ orgId: t.orgId, channelId: channel, contactId: contact!.id, ticketNumber: ++ticket, createdAt, ...extra })
      .returning({ id: sessions.id, channelId: sessions.channelId });
    return row!;
  };
  const message = (s: { id: string; channelId: string }, sender: 'contact' | 'ai' | 'agent', at: Date, extra: Partial<typeof messages.$inferInsert> = {}) =>
    db.insert(messages).values({
      orgId: t.orgId,
      sessionId: s.id,
      channelId: s.channelId,
      direction: sender === 'contact' ? 'in' : 'out',
      sender,
      text: 'hi',
      createdAt: at,
      ...extra,
    });

  // s1: the AI answered in 10 s and resolved it in 10 min.
  const s1 = await session(web, at.s1, { status: 'closed_resolved', handledBy: 'ai', closedAt: later(at.s1, 600) });
  await message(s1, 'contact', at.s1);
  await message(s1, 'ai', later(at.s1, 10));
  // s2: handed to a human; a private note after 5 s does not count as a response, the reply at 60 s does.
  const s2 = await session(web, at.s2, { status: 'closed_resolved', handledBy: 'human', handedOff: true, closedAt: later(at.s2, 1800) });
  await message(s2, 'contact', at.s2);
  await message(s2, 'agent', later(at.s2, 5), { private: true, eventType: 'human_agent_comment' });
  await message(s2, 'agent', later(at.s2, 60));
  // s3: open in Billing, the AI answered in 30 s.
  const s3 = await session(api, at.s3, { teamId: billing!.id });
  await message(s3, 'contact', at.s3);
  await message(s3, 'ai', later(at.s3, 30));
  // s4: open, no team, nothing said yet. s6: closed unresolved. old: open in Billing, before the window.
  await session(api, at.s4);
  await session(web, at.s6, { status: 'closed_unresolved', closedAt: later(at.s6, 60) });
  await session(web, at.old, { teamId: billing!.id });
  // CSAT: s1 rated 4 three days ago, s2 rated 5 today; s6 asked, never answered (not counted).
  await db.insert(csatSurveys).values([
    { orgId: t.orgId, sessionId: s1.id, channelId: web, style: 'rating-row', token: 'tok-s1-aaaaaaaaaaaaaaaa', score: 4, answeredAt: later(at.s1, 700) },
    { orgId: t.orgId, sessionId: s2.id, channelId: web, style: 'rating-row', token: 'tok-s2-aaaaaaaaaaaaaaaa', score: 5, answeredAt: later(at.s2, 1900) },
  ]);
});
afterAll(() => t.close());

describe('GET /console/api/dashboard', () => {
  it('counts the window’s sessions per channel and day, who resolved them, and how fast', async () => {
    const { status, body } = await t.json('GET', '/console/api/dashboard?days=14');
    expect(status).toBe(200);
    const expectedDays = new Map<string, number>();
    for (const [channel, d] of [['web', at.s1], ['web', at.s2], ['api', at.s3], ['api', at.s4], ['web', at.s6]] as const) {
      const k = `${dayOf(d)}|${channel}`;
      expectedDays.set(k, (expectedDays.get(k) ?? 0) + 1);
    }
    const got = new Map((body.sessions_per_channel_per_day as Json[]).map((r) => [`${r.day}|${r.channel}`, r.count]));
    expect(got).toEqual(expectedDays);
    expect(body.resolved_by).toEqual({ ai: 1, human: 1, unresolved: 3 });
    // First responses 10, 30 and 60 s: p50 30, p90 30 + 0.8 × 30 = 54.
    expect(body.first_response_seconds).toEqual({ p50: 30, p90: 54 });
    // Resolutions 600 and 1800 s: p50 1200, p90 600 + 0.9 × 1200 = 1680.
    expect(body.resolution_seconds).toEqual({ p50: 1200, p90: 1680 });
    expect(body.open_by_team).toEqual([
      { team: 'Billing', count: 2 },
      { team: null, count: 1 },
    ]);
    expect(body.csat).toEqual({
      average: 4.5,
      count: 2,
      trend: [
        { day: dayOf(later(at.s1, 700)), average: 4, count: 1 },
        { day: dayOf(later(at.s2, 1900)), average: 5, count: 1 },
      ],
    });
    expect(body.totals).toEqual({ sessions: 5, open: 3, resolved: 2 });
  });

  it('a one-day window holds only today’s sessions; an empty org gets zeros and nulls', async () => {
    const today = (await t.json('GET', '/console/api/dashboard?days=1')).body;
    const todays = [at.s2, at.s3, at.s4].filter((d) => dayOf(d) === dayOf(new Date())).length;
    expect(today.totals.sessions).toBe(todays);
    const other = await createOrganization(t.deps, 'Empty');
    const empty = (await t.json('GET', '/console/api/dashboard', undefined, { key: other.adminKey })).body;
    expect(empty).toEqual({
      sessions_per_channel_per_day: [],
      resolved_by: { ai: 0, human: 0, unresolved: 0 },
      first_response_seconds: { p50: null, p90: null },
      resolution_seconds: { p50: null, p90: null },
      open_by_team: [],
      csat: { average: null, count: 0, trend: [] },
      totals: { sessions: 0, open: 0, resolved: 0 },
    });
  });

  it('is open to agents, validates `days`, and refuses the unauthenticated', async () => {
    expect((await t.json('GET', '/console/api/dashboard', undefined, { key: agentKey })).status).toBe(200);
    expect((await t.json('GET', '/console/api/dashboard?days=0')).status).toBe(400);
    expect((await t.json('GET', '/console/api/dashboard?days=abc')).status).toBe(400);
    expect((await t.app.request('/console/api/dashboard')).status).toBe(401);
  });
});

describe('GET /console/api/channel-kinds', () => {
  it('lists every kind and provider with its config JSON schema, secret fields named and marked writeOnly', async () => {
    const { status, body } = await t.json('GET', '/console/api/channel-kinds');
    expect(status).toBe(200);
    const list = body as unknown as Json[];
    const expected = channelRegistry.allModules().flatMap(({ kind, module }) => module.providers.map((p) => `${kind}/${p}`));
    expect(list.map((k) => `${k.type}/${k.provider}`).sort()).toEqual(expected.sort());
    for (const kind of list) {
      expect(kind.label).toEqual(expect.any(String));
      expect(kind.json_schema).toMatchObject({ type: 'object', properties: expect.any(Object) });
      expect(kind.webhook_paths).toEqual(expect.any(Object));
      for (const field of kind.secret_fields as string[]) {
        const node = field.split('.').reduce((n: Json | undefined, key) => n?.properties?.[key], kind.json_schema);
        expect(node, `${kind.type}/${kind.provider} ${field}`).toMatchObject({ writeOnly: true });
      }
    }
    const twilioSms = list.find((k) => k.type === 'sms')!;
    expect(twilioSms).toMatchObject({
      provider: 'twilio',
      label: 'SMS (Twilio)',
      secret_fields: expect.arrayContaining(['auth_token']),
      webhook_paths: { inbound: 'inbound', status: 'status' },
    });
    expect(twilioSms.json_schema.properties.account_sid).toMatchObject({ type: 'string' });
    expect(list.find((k) => k.type === 'whatsapp' && k.provider === 'meta')!.label).toBe('WhatsApp (Meta Cloud API)');
  });

  it('is for admins', async () => {
    expect((await t.json('GET', '/console/api/channel-kinds', undefined, { key: agentKey })).status).toBe(403);
  });
});
