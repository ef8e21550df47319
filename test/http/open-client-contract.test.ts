import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus, type OpenHarness, startOpenHarness } from '../helpers/open-client.ts';

// Every chat-session and contact operation of Open's document, driven by a client generated from that document
// (openapi-fetch), as an Open integration would call them: request shapes exactly as the document has them, over a
// real port. The harness checks each answer against the document; the tests check what the answers say.
// Open's other operations (/actions, /email, /phone*, /sequences*) are not part of Switchboard's API: docs.test.ts
// requires only /chat/sessions* and /contacts* of Open's document, and so does the last test here.

const OPEN_DOC = resolve(import.meta.dirname, '../fixtures/open/openapi-2024.json');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** `METHOD /path` of every chat-session and contact operation in Open's document. */
function openOperations(): string[] {
  const doc = JSON.parse(readFileSync(OPEN_DOC, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths)
    .filter(([path]) => /^\/(chat\/sessions|contacts)(\/|$)/.test(path))
    .flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`));
}

let h: OpenHarness;
beforeAll(async () => {
  h = await startOpenHarness();
});
afterAll(() => h?.close());

/** More than one default page (20), so that following `next` with `cursor` is exercised. */
const PAGE_PLUS_ONE = 21;

/** Follows `next` with `cursor` until it is null; answers every item, in order. */
async function allPages<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; next?: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const { items: more, next } = await page(cursor);
    items.push(...more);
    cursor = next ?? undefined;
  } while (cursor);
  return items;
}

/** Open has no getContact: a contact is read by paging through listContacts. */
const allContacts = () =>
  allPages(async (cursor) => expectStatus(await h.client.GET('/contacts', { params: { query: { cursor } } }), 200));

describe('contacts through an Open client', () => {
  const saved: string[] = [];

  it('saveContact answers the new id', async () => {
    for (let i = 0; i < PAGE_PLUS_ONE; i++) {
      const phone = `+1555010${String(i).padStart(4, '0')}`;
      const contact = { email: `person${i}@example.com`, name: `Person ${i}`, phone, custom_data: { plan: 'pro' } };
      const data = expectStatus(await h.client.POST('/contacts', { body: { contact } }), 201);
      expect(data.id).toEqual(expect.any(String));
      saved.push(data.id!);
    }
  });

  it('listContacts pages with cursor through every contact, once each', async () => {
    const ids = (await allContacts()).map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(saved));
  });

  it('updateContact changes what listContacts shows', async () => {
    const contact_id = saved[0]!;
    const body = { contact: { name: 'Renamed', custom_data: { plan: 'enterprise' } } };
    expectStatus(await h.client.PATCH('/contacts/{contact_id}', { params: { path: { contact_id } }, body }), 200);
    const listed = (await allContacts()).find((c) => c.id === contact_id);
    expect(listed).toMatchObject({ name: 'Renamed', email: 'person0@example.com', custom_data: { plan: 'enterprise' } });
  });

  it('deleteContact removes it from listContacts', async () => {
    const contact_id = saved.pop()!;
    expectStatus(await h.client.DELETE('/contacts/{contact_id}', { params: { path: { contact_id } } }), 200);
    expect((await allContacts()).map((c) => c.id)).not.toContain(contact_id);
  });
});

describe('chat sessions through an Open client', () => {
  const created: string[] = [];
  /** The newest session, on the api channel with a known contact. */
  const newest = () => ({ session_id: created.at(-1)! });

  it('createChatSession answers the new id, with the document’s example body ({}) and with a contact and channel', async () => {
    created.push(expectStatus(await h.client.POST('/chat/sessions', { body: {} }), 201).id);
    const contact = { email: 'chatter@example.com' };
    const { id: contact_id } = expectStatus(await h.client.POST('/contacts', { body: { contact } }), 201);
    const body = { contact_id: contact_id!, channel: { type: 'api' as const } };
    for (let i = 1; i < PAGE_PLUS_ONE; i++) {
      created.push(expectStatus(await h.client.POST('/chat/sessions', { body }), 201).id);
    }
    expect(new Set(created).size).toBe(PAGE_PLUS_ONE);
  });

  it('getChatSession shows the session, its channel and its contact', async () => {
    const path = newest();
    const data = expectStatus(await h.client.GET('/chat/sessions/{session_id}', { params: { path } }), 200);
    expect(data).toMatchObject({ id: path.session_id, status: 'open', channel: { type: 'api' } });
    expect(data.contact).toMatchObject({ email: 'chatter@example.com' });
  });

  it('listChatSessions pages with cursor through every session, and filters by status, channel_type and handed_off', async () => {
    const sessions = await allPages(async (cursor) => {
      const query = { status: 'open' as const, channel_type: 'api' as const, handed_off: false, cursor };
      return expectStatus(await h.client.GET('/chat/sessions', { params: { query } }), 200);
    });
    const ids = sessions.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    // created[0] is on the organization's built-in channel, whichever kind that is.
    expect(ids).toEqual(expect.arrayContaining(created.slice(1)));
    const email = expectStatus(await h.client.GET('/chat/sessions', { params: { query: { channel_type: 'email' } } }), 200);
    expect(email.items).toEqual([]);
  });

  it('sendMessage from the contact answers 201, and listChatHistory shows the message', async () => {
    const path = newest();
    const message = { type: 'text' as const, text: 'Where is my order?' };
    const body = { sender: 'contact' as const, message };
    expectStatus(await h.client.POST('/chat/sessions/{session_id}/send', { params: { path }, body }), 201);
    const history = expectStatus(await h.client.GET('/chat/sessions/{session_id}/history', { params: { path } }), 200);
    expect(history.items.map((i) => i.event)).toContainEqual(
      expect.objectContaining({ type: 'message', sender: expect.objectContaining({ type: 'contact' }), content: message }),
    );
  });

  it('updateChatSession closes it, and listChatSessions by status follows', async () => {
    const path = newest();
    const body = { status: 'closed_resolved' as const };
    expectStatus(await h.client.PATCH('/chat/sessions/{session_id}', { params: { path }, body }), 200);
    const session = expectStatus(await h.client.GET('/chat/sessions/{session_id}', { params: { path } }), 200);
    expect(session.status).toBe('closed_resolved');
    const closed = expectStatus(await h.client.GET('/chat/sessions', { params: { query: body } }), 200);
    expect(closed.items.map((s) => s.id)).toEqual([path.session_id]);
  });
});

// Last, after the tests above (vitest runs a file's tests in order): what the client called, from the harness.
it("drove every chat-session and contact operation of Open's document", () => {
  const wanted = openOperations();
  expect(wanted.length).toBeGreaterThanOrEqual(10);
  expect(wanted.filter((op) => !h.driven.has(op))).toEqual([]);
});
