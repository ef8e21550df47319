import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOpenError } from '../helpers/contract.ts';
import { beyondDocument, expectStatus, type OpenHarness, startOpenHarness } from '../helpers/open-client.ts';

// What Open's real clients sent Switchboard when it replaced Open, and what broke (issue 18). They send more than
// Open's 2024 document lists (newer fields, Python's dates, newer channel types): those requests are marked
// beyondDocument. Answers are still checked against the document by the harness (open-client.ts).

let h: OpenHarness;
/** Made now, in beforeAll: what the date filters must find (or not). */
let sessionId: string;
let contactId: string;

beforeAll(async () => {
  h = await startOpenHarness();
  contactId = expectStatus(await h.client.POST('/contacts', { body: { contact: { email: 'now@example.com' } } }), 201).id!;
  sessionId = expectStatus(await h.client.POST('/chat/sessions', { body: { contact_id: contactId } }), 201).id;
});
afterAll(() => h?.close());

const newSession = async () => expectStatus(await h.client.POST('/chat/sessions', { body: {} }), 201).id;

const LISTS = ['listChatSessions', 'listContacts'] as const;
type List = (typeof LISTS)[number];
const DATE_PARAMS = ['updated_after', 'created_after'] as const;
/** The row each list must find (or not): made in beforeAll. */
const madeNow = (op: List) => (op === 'listChatSessions' ? sessionId : contactId);

/** One list call with a query Open's document does not describe; answers the status and the ids listed. */
async function list(op: List, query: Record<string, string>): Promise<{ status: number; ids: string[] }> {
  const res =
    op === 'listChatSessions'
      ? await h.client.GET('/chat/sessions', { params: { query: beyondDocument(query) } })
      : await h.client.GET('/contacts', { params: { query: beyondDocument(query) } });
  return { status: res.response.status, ids: res.data?.items.map((i) => i.id) ?? [] };
}

/** Each list, with each date parameter at `value`, answers 200 and lists the row made now, or does not. */
async function expectEveryList(value: string, listsIt: boolean) {
  for (const op of LISTS) {
    for (const param of DATE_PARAMS) {
      const { status, ids } = await list(op, { [param]: value });
      const what = `${op} ${param}=${value}`;
      expect(status, what).toBe(200);
      if (listsIt) expect(ids, what).toContain(madeNow(op));
      else expect(ids, what).not.toContain(madeNow(op));
    }
  }
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** `YYYY-MM-DD`, `HH:MM:SS` and milliseconds of `at` on a clock `offsetMin` minutes ahead of UTC. */
const clock = (at: Date, offsetMin = 0) => {
  const iso = new Date(at.getTime() + offsetMin * 60_000).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 19), ms: iso.slice(20, 23) };
};

/** Each form, and how far from now a value must be to land clearly before or after a row made now. */
const FORMS: [name: string, format: (at: Date) => string, step: number][] = [
  ["Python's str(), space", (at) => `${clock(at).date} ${clock(at).time}+00:00`, HOUR],
  ["Python's str(), space and microseconds", (at) => `${clock(at).date} ${clock(at).time}.${clock(at).ms}000+00:00`, HOUR],
  ['RFC 3339 with Z', (at) => `${clock(at).date}T${clock(at).time}Z`, HOUR],
  ['one fraction digit, +02:00', (at) => `${clock(at, 120).date}T${clock(at, 120).time}.1+02:00`, HOUR],
  // Midnight UTC of that day: a day either side of now.
  ['date only', (at) => clock(at).date, DAY],
];

/** As reported in issue 18 (all before the rows made now). */
const REPORTED = [
  '2025-09-23 12:00:00+00:00',
  '2025-09-23 21:10:52.076000+00:00',
  '2025-09-23T12:00:00Z',
  '2025-09-23T12:00:00.1+02:00',
  '2025-09-23',
];

describe('a. dates as Open clients write them', () => {
  it.each(FORMS)('%s: lists filter by updated_after and created_after', async (_name, format, step) => {
    await expectEveryList(format(new Date(Date.now() - step)), true);
    await expectEveryList(format(new Date(Date.now() + step)), false);
  });

  it.each(REPORTED)('the reported %s answers 200 with what came later', (value) => expectEveryList(value, true));

  it.each(['2025-13-45', 'yesterday'])('%s is a 400 in ErrorDto', async (value) => {
    // The harness checks that every non-2xx body is Open's ErrorDto.
    for (const op of LISTS) {
      for (const param of DATE_PARAMS) expect((await list(op, { [param]: value })).status, `${op} ${param}`).toBe(400);
    }
  });
});

describe('b. request fields Switchboard does not know are ignored on Open’s operations', () => {
  it('updateChatSession with session_closed_payload and a future field closes the session', async () => {
    const path = { session_id: await newSession() };
    const body = { status: 'closed_resolved', session_closed_payload: { reason: 'x' }, some_future_field: 1 };
    expectStatus(await h.client.PATCH('/chat/sessions/{session_id}', { params: { path }, body: beyondDocument(body) }), 200);
    const session = expectStatus(await h.client.GET('/chat/sessions/{session_id}', { params: { path } }), 200);
    expect(session.status).toBe('closed_resolved');
  });

  it('createChatSession with a future field', async () => {
    const body = { channel: { type: 'api' }, some_future_field: 1 };
    expectStatus(await h.client.POST('/chat/sessions', { body: beyondDocument(body) }), 201);
  });

  it('sendMessage with a future field in the body and in message', async () => {
    const path = { session_id: await newSession() };
    const body = { sender: 'contact', message: { type: 'text', text: 'hi', some_future_field: 1 }, some_future_field: 1 };
    // Open documents 201 for sendMessage.
    expectStatus(await h.client.POST('/chat/sessions/{session_id}/send', { params: { path }, body: beyondDocument(body) }), 201);
  });

  it('saveContact with a future field in contact', async () => {
    const body = { contact: { email: 'future@example.com', some_future_field: 1 } };
    expectStatus(await h.client.POST('/contacts', { body: beyondDocument(body) }), 201);
  });

  it('but Switchboard’s own admin resources stay strict: POST /channels with an unknown field is a 400', async () => {
    const { status, body } = await h.t.json('POST', '/channels', { type: 'api', name: 'Strict', some_future_field: 1 });
    expect(status, JSON.stringify(body)).toBe(400);
    expectOpenError(body, 400);
  });
});

describe('c. channel types the organization has no channel of', () => {
  it.each(['web_voice', 'instagram', 'messenger'])('listChatSessions with channel_type=%s: an empty list', async (channel_type) => {
    const res = await h.client.GET('/chat/sessions', { params: { query: beyondDocument({ channel_type }) } });
    expect(expectStatus(res, 200).items).toEqual([]);
  });

  it('createChatSession on web_voice is a 4xx that names it', async () => {
    const { response, error } = await h.client.POST('/chat/sessions', { body: { channel: { type: 'web_voice' } } });
    expect(response.status, JSON.stringify(error)).toBeGreaterThanOrEqual(400);
    expect(response.status, JSON.stringify(error)).toBeLessThan(500);
    expect(error?.message).toMatch(/web_voice/);
  });
});

describe('d. an unverified contact', () => {
  it('createChatSession with verified: false keeps the contact’s details as non_verified_*', async () => {
    const contact = { name: 'Eve', email: 'eve@example.com', custom_data: { plan: 'trial' } };
    const created = await h.client.POST('/chat/sessions', { body: beyondDocument({ verified: false, contact }) });
    const path = { session_id: expectStatus(created, 201).id };
    const session = expectStatus(await h.client.GET('/chat/sessions/{session_id}', { params: { path } }), 200);
    // non_verified_* are Switchboard's additions to Open's 2024 Contact (its schema allows additional properties).
    const got = session.contact as Record<string, unknown>;
    expect(got).toMatchObject({ non_verified_name: 'Eve', non_verified_email: contact.email, non_verified_custom_data: { plan: 'trial' } });
    expect(got.name).not.toBe('Eve');
    expect(got.email).not.toBe(contact.email);
    expect(got.custom_data ?? {}).not.toHaveProperty('plan');
  });
});

describe('e. a reply from an Open agent Switchboard has never seen', () => {
  it('sendMessage as agent 4242 succeeds; both replies are from one agent, shown as human_agent_id 4242', async () => {
    const path = { session_id: await newSession() };
    const agent = { id: 4242, name: 'Dana', avatar_url: 'https://example.com/d.png' };
    // The first reply takes the session over from the AI, as an Open agent's client does when its agent steps in:
    // history names the agent by number only on agent events such as that takeover (session-views.ts).
    for (const [text, takeOver] of [['Hi, Dana here', true], ['Anything else?', false]] as const) {
      const body = { sender: 'agent', message: { type: 'text', text }, agent, should_take_over_session_from_ai: takeOver };
      const sent = await h.client.POST('/chat/sessions/{session_id}/send', { params: { path }, body: beyondDocument(body) });
      expectStatus(sent, 201);
    }
    const history = expectStatus(await h.client.GET('/chat/sessions/{session_id}/history', { params: { path } }), 200);
    const events = history.items.map((i) => i.event as Record<string, any>);
    const replies = events.filter((e) => e.type === 'message' && e.sender?.type === 'human_agent');
    expect(replies.map((e) => [e.sender.name, e.content.text])).toEqual([
      ['Dana', 'Hi, Dana here'],
      ['Dana', 'Anything else?'],
    ]);
    expect(events.filter((e) => 'human_agent_id' in e).map((e) => e.human_agent_id)).toEqual([4242]);
    // Both sends mapped to one agent record, not one each.
    const { body } = await h.t.json('GET', '/agents?limit=100');
    expect(body.items.filter((a: { name: string }) => a.name === 'Dana')).toHaveLength(1);
  });
});
