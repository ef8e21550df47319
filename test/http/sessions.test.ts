import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, events, messages, teams } from '../../src/db/schema/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenContract, expectOpenError } from '../helpers/contract.ts';

// POST/GET/PATCH /chat/sessions…: Open's shapes, custom_data merging, status history, and organization scoping.

/** Response bodies are checked field by field below, so they are read untyped. */
const readJson = (res: Response): Promise<any> => res.json();

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const GET_PATH = '/chat/sessions/{session_id}';

async function create(body: unknown = {}): Promise<string> {
  const res = await t.call('POST', '/chat/sessions', body);
  const json = await readJson(res);
  expect(res.status, JSON.stringify(json)).toBe(201);
  expectOpenContract('post', '/chat/sessions', 201, json);
  return json.id;
}

async function getSession(id: string, key?: string) {
  const res = await t.call('GET', `/chat/sessions/${id}`, undefined, key ? { key } : {});
  return { status: res.status, body: await readJson(res) };
}

describe('POST /chat/sessions and GET /chat/sessions/{id}', () => {
  it('creates a session for a new contact on the api channel and shows it in Open’s shape', async () => {
    const id = await create({
      contact: { email: 'ada@example.com', name: 'Ada', phone_number: '+15550000001', custom_data: { plan: 'pro' } },
      custom_data: { order_id: 'A-1', cart_value: 42, vip: true },
      verified: true,
    });
    const { status, body } = await getSession(id);
    expect(status).toBe(200);
    expectOpenContract('get', GET_PATH, 200, body);
    expect(body).toMatchObject({
      id,
      status: 'open',
      ai_closure_type: null,
      sentiment: null,
      channel: { type: 'api' },
      assist_mode: false,
      custom_data: { order_id: 'A-1', cart_value: 42, vip: true },
      team: null,
      summary: null,
      subject: null,
      priority: 'normal',
      handed_off: false,
      last_message_at: null,
      closed_at: null,
      message_count: 0,
      insights: null,
      contact: {
        email: 'ada@example.com',
        name: 'Ada',
        phone_number: '+15550000001',
        custom_data: { plan: 'pro' },
        identities: [],
        opted_out: [],
      },
    });
    expect(body.ticket_number).toBeGreaterThan(0);
    expect(body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    // Open declares these non-nullable: unset means absent.
    for (const key of ['language', 'assignee_id', 'handoff']) expect(body).not.toHaveProperty(key);
  });

  it('finds the contact again by email (any case) and merges its custom_data', async () => {
    const a = await create({ contact: { email: 'merge@example.com', custom_data: { plan: 'free', region: 'eu' } } });
    const b = await create({ contact: { email: 'MERGE@example.com', custom_data: { plan: 'pro' } } });
    const [sa, sb] = [(await getSession(a)).body, (await getSession(b)).body];
    expect(sb.contact.id).toBe(sa.contact.id);
    expect(sb.contact.custom_data).toEqual({ plan: 'pro', region: 'eu' });
    expect(sb.ticket_number).toBe(sa.ticket_number + 1);
  });

  it('takes a contact_id of the organization, and 404s an unknown one', async () => {
    const first = (await getSession(await create({ contact: { email: 'byid@example.com' } }))).body;
    const again = (await getSession(await create({ contact_id: first.contact.id }))).body;
    expect(again.contact.id).toBe(first.contact.id);
    const res = await t.call('POST', '/chat/sessions', { contact_id: '2b7e1516-28ae-4d2a-a6ab-f7158809cf4f' });
    expect(res.status).toBe(404);
    expectOpenError(await readJson(res), 404);
  });

  it('answers 409 when the contact details would take another contact’s email', async () => {
    await create({ contact: { email: 'taken@example.com' } });
    const mine = (await getSession(await create({ contact: { email: 'mine@example.com' } }))).body;
    const res = await t.call('POST', '/chat/sessions', { contact_id: mine.contact.id, contact: { email: 'taken@example.com' } });
    expect(res.status).toBe(409);
    expectOpenError(await readJson(res), 409);
    const send = { sender: 'contact', message: { type: 'text', text: 'hi' }, contact: { email: 'TAKEN@example.com' } };
    expect((await t.call('POST', `/chat/sessions/${mine.id}/send`, send)).status).toBe(409);
  });

  it('accepts an empty request (anonymous contact, api channel)', async () => {
    const res = await t.app.request('/chat/sessions', { method: 'POST', headers: { authorization: `Bearer ${t.adminKey}` } });
    expect(res.status).toBe(201);
  });

  it('refuses a channel type the organization (or Switchboard) does not have and nested custom_data; ignores unknown fields', async () => {
    for (const [body, path] of [
      [{ channel: { type: 'whatsapp' } }, 'channel.type'],
      [{ channel: { type: 'web_voice' } }, 'channel.type'],
      [{ custom_data: { nested: { a: 1 } } }, 'custom_data.nested'],
      [{ contact: { custom_data: { deep: [1] } } }, 'contact.custom_data.deep'],
      [{ contact: { email: 'not-an-email' } }, 'contact.email'],
      [{ channel: { type: 'fax' } }, 'channel.type'],
      [{ custom_data: { key: 'nul\u0000' } }, 'custom_data.key'],
    ] as const) {
      const res = await t.call('POST', '/chat/sessions', body);
      const json = await readJson(res);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectOpenError(json, 400);
      expect(json.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    // Open adds request fields over time: on Open's operations an unknown one is ignored, not a 400.
    const unknown = await t.call('POST', '/chat/sessions', { colour: 'red', channel: { type: 'api', region: 'eu' } });
    expect(unknown.status).toBe(201);
  });

  it('answers 404 for an unknown id and 400 for a malformed one, never 500', async () => {
    expect((await getSession('2b7e1516-28ae-4d2a-a6ab-f7158809cf4f')).status).toBe(404);
    const bad = await getSession('not-a-uuid');
    expect(bad.status).toBe(400);
    expectOpenError(bad.body, 400);
  });
});

describe('PATCH /chat/sessions/{id}', () => {
  it('closes (closed_at, history row, conversation.closed event) and reopens', async () => {
    const id = await create();
    const closed = await t.call('PATCH', `/chat/sessions/${id}`, {
      status: 'closed_resolved',
      generate_summary_and_sentiment_on_resolve: true,
      reflect_status_change_for_integration: false,
    });
    const body = await readJson(closed);
    expect(closed.status).toBe(200);
    expectOpenContract('get', GET_PATH, 200, body);
    expect(body.status).toBe('closed_resolved');
    expect(Date.parse(body.closed_at)).toBeGreaterThan(Date.now() - 60_000);

    const reopened = await readJson(await t.call('PATCH', `/chat/sessions/${id}`, { status: 'open' }));
    expect(reopened).toMatchObject({ status: 'open', closed_at: null });

    const rows = await t.deps.db.select().from(messages).where(eq(messages.sessionId, id)).orderBy(messages.seq);
    expect(rows.map((r) => [r.eventType, r.sender, r.direction, r.context])).toEqual([
      ['status_changed', 'system', 'out', { from: 'open', to: 'closed_resolved' }],
      ['status_changed', 'system', 'out', { from: 'closed_resolved', to: 'open' }],
    ]);
    const evs = await t.deps.db.select().from(events).where(eq(events.sessionId, id)).orderBy(events.seq);
    expect(evs.map((e) => e.type)).toEqual(['conversation.started', 'conversation.closed', 'conversation.status_changed']);
  });

  it('merges custom_data, sets priority, assignee, team and hands back to the AI', async () => {
    const id = await create({ custom_data: { a: '1', b: '2' } });
    const [agent] = await t.deps.db.insert(agents).values({ orgId: t.orgId, name: 'Grace', email: 'grace@example.com' }).returning();
    const [team] = await t.deps.db.insert(teams).values({ orgId: t.orgId, name: 'Billing', description: 'Money' }).returning();
    const res = await t.call('PATCH', `/chat/sessions/${id}`, {
      custom_data: { b: 'two', c: 3 },
      priority: 'urgent',
      assignee_id: agent!.id,
      team_id: team!.id,
      handed_off: true,
    });
    const body = await readJson(res);
    expect(res.status).toBe(200);
    expectOpenContract('get', GET_PATH, 200, body);
    expect(body).toMatchObject({
      custom_data: { a: '1', b: 'two', c: 3 },
      priority: 'urgent',
      assignee_id: agent!.id,
      team: { id: team!.id, name: 'Billing', description: 'Money' },
      handed_off: true,
    });
    const back = await readJson(await t.call('PATCH', `/chat/sessions/${id}`, { handed_off: false, assignee_id: null }));
    expect(back.handed_off).toBe(false);
    expect(back).not.toHaveProperty('assignee_id');
    const assigned = await t.deps.db
      .select()
      .from(events)
      .where(and(eq(events.sessionId, id), eq(events.type, 'conversation.assigned')));
    expect(assigned).toHaveLength(2);
  });

  it('refuses an unknown assignee or team (404) and a bad priority (400)', async () => {
    const id = await create();
    expect((await t.call('PATCH', `/chat/sessions/${id}`, { assignee_id: '2b7e1516-28ae-4d2a-a6ab-f7158809cf4f' })).status).toBe(404);
    expect((await t.call('PATCH', `/chat/sessions/${id}`, { team_id: '2b7e1516-28ae-4d2a-a6ab-f7158809cf4f' })).status).toBe(404);
    const bad = await t.call('PATCH', `/chat/sessions/${id}`, { priority: 'asap' });
    expect(bad.status).toBe(400);
    expect((await readJson(bad)).details[0].path).toBe('priority');
  });
});

describe('another organization', () => {
  it('sees none of this organization’s sessions and cannot change them', async () => {
    const id = await create({ custom_data: { secret: 'yes' } });
    const other = await createOrganization(t.deps, 'Other org');
    expect((await getSession(id, other.adminKey)).status).toBe(404);
    const opts = { key: other.adminKey };
    expect((await t.call('PATCH', `/chat/sessions/${id}`, { status: 'closed_resolved' }, opts)).status).toBe(404);
    const send = { sender: 'contact', message: { type: 'text', text: 'hi' } };
    expect((await t.call('POST', `/chat/sessions/${id}/send`, send, opts)).status).toBe(404);
    expect((await t.call('GET', `/chat/sessions/${id}/history`, undefined, opts)).status).toBe(404);
    const list = await readJson(await t.call('GET', '/chat/sessions', undefined, opts));
    expect(list).toEqual({ items: [], next: null });
    const filtered = await readJson(await t.call('POST', '/chat/sessions/filter', {}, opts));
    expect(filtered.data).toEqual([]);
    expect((await getSession(id)).body.status).toBe('open');
  });
});
