import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, attachments, messages } from '../../src/db/schema/index.ts';
import { insertApiKey } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenContract, expectOpenError } from '../helpers/contract.ts';

// POST /chat/sessions/{id}/send and GET …/history: ingest, turn jobs, takeover, notes, reopening, idempotency.

/** Response bodies are checked field by field below, so they are read untyped. */
const readJson = (res: Response): Promise<any> => res.json();

let t: TestApp;
let agent: { id: string; number: number; name: string };
let agentKey: string;

beforeAll(async () => {
  t = await createTestApp();
  const [row] = await t.deps.db.insert(agents).values({ orgId: t.orgId, name: 'Grace', email: 'grace@example.com' }).returning();
  agent = row!;
  agentKey = (await insertApiKey(t.deps.db, t.orgId, 'agent', 'Grace key', undefined, agent.id)).key;
});
afterAll(() => t.close());

async function newSession(body: unknown = { contact: { email: `s${Math.random()}@example.com` } }): Promise<string> {
  return (await readJson(await t.call('POST', '/chat/sessions', body))).id;
}

async function send(sessionId: string, body: unknown, opts: { key?: string; headers?: Record<string, string> } = {}) {
  const res = await t.call('POST', `/chat/sessions/${sessionId}/send`, body, opts);
  const json = await readJson(res);
  if (res.status === 201) expectOpenContract('post', '/chat/sessions/{session_id}/send', 201, json);
  return { status: res.status, body: json, headers: res.headers };
}

/** Checked against Open's schema unless Switchboard-only items were asked for (include_status_changes). */
async function history(sessionId: string, query = '') {
  const res = await t.call('GET', `/chat/sessions/${sessionId}/history${query}`);
  const body = await readJson(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  if (!query.includes('include_status_changes=true')) expectOpenContract('get', '/chat/sessions/{session_id}/history', 200, body);
  return body;
}

const getSession = async (id: string) => readJson(await t.call('GET', `/chat/sessions/${id}`));
const text = (s: string) => ({ type: 'text', text: s });

async function turnJobIds(): Promise<string[]> {
  const jobs = await t.deps.queues.turn.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
  return jobs.map((j) => j.id!);
}

describe('POST /chat/sessions/{id}/send', () => {
  it('stores a contact message, merges session and contact custom_data, and queues exactly one turn', async () => {
    const id = await newSession({ contact: { email: 'cd@example.com', custom_data: { plan: 'free', region: 'eu' } }, custom_data: { a: '1' } });
    const res = await send(id, {
      sender: 'contact',
      message: text('Where is my order?'),
      custom_data: { order_id: 'A-9', a: 'one' },
      contact: { name: 'Cee Dee', custom_data: { plan: 'pro' } },
    });
    expect(res.status).toBe(201);
    const messageId = res.body.data.message.id;
    expect(res.body).toEqual({ success: true, data: { message: { id: messageId } } });
    expect((await turnJobIds()).filter((j) => j === `turn-${messageId}`)).toHaveLength(1);
    const job = await t.deps.queues.turn.getJob(`turn-${messageId}`);
    expect(job?.data).toEqual({ orgId: t.orgId, sessionId: id, messageId });

    const session = await getSession(id);
    expect(session.custom_data).toEqual({ a: 'one', order_id: 'A-9' });
    expect(session.contact).toMatchObject({ name: 'Cee Dee', custom_data: { plan: 'pro', region: 'eu' } });
    expect(session.message_count).toBe(1);
    expect(session.last_message_at).not.toBeNull();

    const h = await history(id);
    expect(h.next).toBeNull();
    expect(h.items).toEqual([
      { id: messageId, created_at: expect.any(String), event: { type: 'message', sender: { type: 'contact' }, content: text('Where is my order?') } },
    ]);
  });

  it('an agent takes over with an agent key: human-handled, assigned, takeover then message in history', async () => {
    const id = await newSession();
    await send(id, { sender: 'contact', message: text('I want a human') });
    const res = await send(id, { sender: 'agent', message: text('Hi, Grace here'), should_take_over_session_from_ai: true }, { key: agentKey });
    expect(res.status).toBe(201);
    const session = await getSession(id);
    expect(session).toMatchObject({ handed_off: true, assignee_id: agent.id });
    const [row] = await t.deps.db.select().from(messages).where(eq(messages.id, res.body.data.message.id));
    expect(row).toMatchObject({ sender: 'agent', direction: 'out', agentId: agent.id, deliveryStatus: 'queued', turnState: 'none' });
    expect(await t.deps.queues.dispatch.getJob(`dispatch-${row!.id}`)).toBeDefined();

    const events = (await history(id)).items.map((i: { event: unknown }) => i.event);
    expect(events.slice(1)).toEqual([
      { type: 'human_agent_takeover', human_agent_id: agent.number, sender: { type: 'human_agent', name: 'Grace' }, content: text('Grace took over the conversation') },
      {
        type: 'message',
        sender: { type: 'human_agent', name: 'Grace' },
        content: text('Hi, Grace here'),
        context: { delivery: { channel_message_id: null, status: 'queued', error: null } },
      },
    ]);
  });

  it('keeps a private note out of dispatch and shows it as human_agent_comment (admin key naming the agent)', async () => {
    const id = await newSession();
    const res = await send(id, { sender: 'agent', agent: { id: agent.id }, private: true, message: text('VIP, be nice') });
    expect(res.status).toBe(201);
    expect(await t.deps.queues.dispatch.getJob(`dispatch-${res.body.data.message.id}`)).toBeUndefined();
    expect((await history(id)).items[0].event).toEqual({
      type: 'human_agent_comment',
      human_agent_id: agent.number,
      sender: { type: 'human_agent', name: 'Grace' },
      content: text('VIP, be nice'),
    });
    // Without a known agent Open's schema cannot hold a comment: it reads as a human agent's message, marked private.
    await send(id, { sender: 'agent', agent: { name: 'Bob' }, private: true, message: text('psst') });
    expect((await history(id)).items[1].event).toEqual({
      type: 'message',
      sender: { type: 'human_agent', name: 'Bob' },
      content: text('psst'),
      context: { event_type: 'human_agent_comment', private: true },
    });
    // A uuid is Switchboard's own agent id: an unknown one is a typo (404). Open's numeric ids are mapped (session-agent.ts).
    const unknownUuid = { sender: 'agent', agent: { id: '2b7e1516-28ae-4d2a-a6ab-f7158809cf4f' }, message: text('x') };
    expect((await send(id, unknownUuid)).status).toBe(404);
  });

  it('reopens a closed session when the contact writes', async () => {
    const id = await newSession();
    await t.call('PATCH', `/chat/sessions/${id}`, { status: 'closed_unresolved' });
    await send(id, { sender: 'contact', message: text('me again') });
    expect(await getSession(id)).toMatchObject({ status: 'open', closed_at: null });
    const all = await history(id, '?include_status_changes=true');
    expect(all.items.map((i: { event: { type: string; context?: unknown } }) => [i.event.type, i.event.context ?? null])).toEqual([
      ['status_changed', { from: 'open', to: 'closed_unresolved' }],
      ['status_changed', { from: 'closed_unresolved', to: 'open' }],
      ['message', null],
    ]);
    expect((await history(id)).items.map((i: { event: { type: string } }) => i.event.type)).toEqual(['message']);
  });

  it('stores attachments and lists them in history', async () => {
    const id = await newSession();
    const file = { name: 'a.png', mime_type: 'image/png', url: 'https://cdn.example.com/a.png' };
    const res = await send(id, { sender: 'contact', message: { type: 'text', text: '', attachments: [file] } });
    expect(res.status).toBe(201);
    const [att] = await t.deps.db.select().from(attachments).where(eq(attachments.messageId, res.body.data.message.id));
    expect((await history(id)).items[0].event.attachments).toEqual([{ id: att!.id, name: 'a.png', size: 0, type: 'image/png', url: file.url }]);
  });

  it('replays an Idempotency-Key with the same body, and refuses it with another body', async () => {
    const id = await newSession();
    const headers = { 'idempotency-key': `k-${id}` };
    const body = { sender: 'contact', message: text('once') };
    const first = await send(id, body, { headers });
    const again = await send(id, body, { headers });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect((await history(id)).items).toHaveLength(1);
    const other = await send(id, { sender: 'contact', message: text('twice') }, { headers });
    expect(other.status).toBe(409);
    expectOpenError(other.body, 409);
  });

  it('refuses invalid messages with 400 and field details', async () => {
    const id = await newSession();
    const cases: [unknown, string][] = [
      [{ sender: 'contact', message: text('') }, 'message.text'],
      [{ sender: 'contact', message: text('   \n ') }, 'message.text'],
      [{ sender: 'contact', message: text('x'.repeat(32_001)) }, 'message.text'],
      [{ sender: 'bot', message: text('hi') }, 'sender'],
      [{ message: text('hi') }, 'sender'],
      [{ sender: 'contact', message: text('hi'), private: true }, 'private'],
      [{ sender: 'contact', message: { ...text('hi'), attachments: [{ name: 'a', mime_type: 'image/png' }] } }, 'message.attachments.0.url'],
      [{ sender: 'contact', message: { ...text('hi'), attachments: [{ name: 'a', mime_type: 'image/png', url: 'ftp://x.y/a' }] } }, 'message.attachments.0.url'],
      [{ sender: 'contact', message: text('hi'), custom_data: { deep: { x: 1 } } }, 'custom_data.deep'],
      // Postgres cannot store NUL: refused up front, never a failed insert.
      [{ sender: 'contact', message: text('a\u0000b') }, 'message.text'],
      [{ sender: 'contact', message: text('hi'), contact: { name: 'x\u0000' } }, 'contact.name'],
    ];
    for (const [body, path] of cases) {
      const res = await send(id, body);
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBe(400);
      expectOpenError(res.body, 400);
      expect(res.body.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const malformed = await t.call('POST', `/chat/sessions/${id}/send`, '{"sender":');
    expect(malformed.status).toBe(400);
    expect((await history(id)).items).toEqual([]);
  });
});

describe('GET /chat/sessions/{id}/history', () => {
  it('pages oldest first with a cursor, without gaps or repeats', async () => {
    const id = await newSession();
    for (let i = 0; i < 7; i++) await send(id, { sender: i % 2 ? 'agent' : 'contact', message: text(`m${i}`) });
    const texts: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { event: { content: { text: string } } }[]; next: string | null } = await history(id, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      texts.push(...page.items.map((i) => i.event.content.text));
      cursor = page.next;
    } while (cursor);
    expect(texts).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    expect((await t.call('GET', `/chat/sessions/${id}/history?cursor=nope`)).status).toBe(400);
    expect((await t.call('GET', `/chat/sessions/${id}/history?limit=0`)).status).toBe(400);
    expect((await t.call('GET', '/chat/sessions/2b7e1516-28ae-4d2a-a6ab-f7158809cf4f/history')).status).toBe(404);
  });
});
