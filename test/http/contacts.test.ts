import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactIdentities } from '../../src/db/schema/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenContract, expectOpenError } from '../helpers/contract.ts';

// POST/GET/PATCH/DELETE /contacts…: Open's shapes, email uniqueness, custom_data merging, cascades, org scoping.

type Json = Record<string, any>;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function call(method: string, path: string, body?: unknown, key?: string) {
  const res = await t.call(method, path, body, key ? { key } : {});
  return { status: res.status, body: (await res.json()) as Json };
}

async function create(contact: Json): Promise<string> {
  const res = await call('POST', '/contacts', { contact });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expectOpenContract('post', '/contacts', 201, res.body);
  expect(Object.keys(res.body)).toEqual(['id']);
  return res.body.id;
}

/** Open has no GET /contacts/{id}: its list schema checks that one contact is an Open Contact. */
const expectOpenContact = (contact: Json) => expectOpenContract('get', '/contacts', 200, { items: [contact], next: null });

describe('POST /contacts and GET /contacts/{id}', () => {
  it('creates a contact and shows it as a Contact', async () => {
    const id = await create({ email: 'ada@example.com', name: 'Ada', phone: '+15550000001', custom_data: { plan: 'pro' } });
    const { status, body } = await call('GET', `/contacts/${id}`);
    expect(status).toBe(200);
    expectOpenContact(body);
    expect(body).toEqual({
      id,
      email: 'ada@example.com',
      phone_number: '+15550000001',
      name: 'Ada',
      avatar_url: null,
      custom_data: { plan: 'pro' },
      non_verified_name: null,
      non_verified_email: null,
      non_verified_custom_data: null,
      verified: false,
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      updated_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      identities: [],
      opted_out: [],
    });
  });

  it('accepts phone_number and avatar_url too', async () => {
    const id = await create({ phone_number: '+15550000002', avatar_url: 'https://cdn.example.com/a.png' });
    const { body } = await call('GET', `/contacts/${id}`);
    expect(body).toMatchObject({ phone_number: '+15550000002', avatar_url: 'https://cdn.example.com/a.png', email: null });
  });

  it('keeps number and boolean custom_data values as they are', async () => {
    const id = await create({ custom_data: { seats: 12, vip: true, ratio: 0.5, plan: 'team' } });
    expect((await call('GET', `/contacts/${id}`)).body.custom_data).toEqual({ seats: 12, vip: true, ratio: 0.5, plan: 'team' });
  });

  it('refuses an email another contact has (any case) with 409', async () => {
    const first = await create({ email: 'taken@example.com' });
    const { status, body } = await call('POST', '/contacts', { contact: { email: 'TAKEN@example.com' } });
    expect(status).toBe(409);
    expectOpenError(body, 409);
    expect(body.message).toBe(`Another contact of this organization already has the email TAKEN@example.com (${first})`);
  });

  it('creates one contact from two concurrent requests with the same email; the other gets 409', async () => {
    const results = await Promise.all([1, 2].map(() => call('POST', '/contacts', { contact: { email: 'race@example.com' } })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('replays a repeated Idempotency-Key instead of creating (or refusing) a second contact', async () => {
    const post = () => t.call('POST', '/contacts', { contact: { email: 'once@example.com' } }, { headers: { 'idempotency-key': 'k-once' } });
    const [a, b] = [await post(), await post()];
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(((await b.json()) as Json).id).toBe(((await a.json()) as Json).id);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
  });

  it('lists the contact’s channel identities', async () => {
    const id = await create({ name: 'Sam' });
    await t.database.db.insert(contactIdentities).values({ orgId: t.orgId, contactId: id, channelType: 'sms', address: '+15550009999' });
    const { body } = await call('GET', `/contacts/${id}`);
    expect(body.identities).toEqual([{ channel_type: 'sms', address: '+15550009999' }]);
  });

  it.each([
    ['no contact', {}, 'contact'],
    ['a bad email', { contact: { email: 'not-an-email' } }, 'contact.email'],
    ['nested custom_data', { contact: { custom_data: { a: { b: 1 } } } }, 'contact.custom_data.a'],
  ])('refuses %s with 400', async (_what, payload, path) => {
    const { status, body } = await call('POST', '/contacts', payload);
    expect(status).toBe(400);
    expectOpenError(body, 400);
    expect(body.details.map((d: Json) => d.path)).toContain(path);
  });

  it('accepts and ignores fields Open may add (a drop-in client must not break on them)', async () => {
    const { status, body } = await call('POST', '/contacts', { contact: { email: 'later@example.com', nickname: 'x' }, extra: 1 });
    expect(status).toBe(201);
    const { body: contact } = await call('GET', `/contacts/${body.id}`);
    expect(contact.email).toBe('later@example.com');
    expect(contact).not.toHaveProperty('nickname');
  });

  it('refuses malformed JSON with 400', async () => {
    expect((await call('POST', '/contacts', '{"contact":')).status).toBe(400);
  });

  it('answers a malformed id with 400 and an unknown one with 404', async () => {
    expect((await call('GET', '/contacts/not-a-uuid')).status).toBe(400);
    const { status, body } = await call('GET', '/contacts/00000000-0000-4000-8000-000000000000');
    expect(status).toBe(404);
    expect(body.message).toBe('Contact not found');
  });
});

describe('PATCH /contacts/{id}', () => {
  it('replaces the given fields, merges custom_data key by key, and returns the Contact', async () => {
    const id = await create({ email: 'pat@example.com', name: 'Pat', custom_data: { plan: 'free', region: 'eu' } });
    const before = (await call('GET', `/contacts/${id}`)).body;
    const { status, body } = await call('PATCH', `/contacts/${id}`, { contact: { name: 'Patricia', custom_data: { plan: 'pro' } } });
    expect(status).toBe(200);
    expectOpenContract('patch', '/contacts/{contact_id}', 200, body);
    expectOpenContact(body);
    expect(body).toMatchObject({ id, name: 'Patricia', email: 'pat@example.com', custom_data: { plan: 'pro', region: 'eu' } });
    expect(Date.parse(body.updated_at)).toBeGreaterThanOrEqual(Date.parse(before.updated_at));
    expect(body.created_at).toBe(before.created_at);
  });

  it('refuses another contact’s email with 409, but accepts its own in another case', async () => {
    await create({ email: 'one@example.com' });
    const two = await create({ email: 'two@example.com' });
    const taken = await call('PATCH', `/contacts/${two}`, { contact: { email: 'One@Example.com' } });
    expect(taken.status).toBe(409);
    expectOpenError(taken.body, 409);
    const own = await call('PATCH', `/contacts/${two}`, { contact: { email: 'TWO@example.com' } });
    expect(own.status).toBe(200);
    expect(own.body.email).toBe('TWO@example.com');
  });

  it('validates the body strictly and 404s an unknown contact', async () => {
    const id = await create({});
    expect((await call('PATCH', `/contacts/${id}`, { name: 'no envelope' })).status).toBe(400);
    expect((await call('PATCH', `/contacts/${id}`, { contact: { custom_data: { a: [1] } } })).status).toBe(400);
    expect((await call('PATCH', '/contacts/00000000-0000-4000-8000-000000000000', { contact: { name: 'x' } })).status).toBe(404);
  });
});

describe('DELETE /contacts/{id}', () => {
  it('deletes the contact with its identities and sessions', async () => {
    const id = await create({ email: 'gone@example.com' });
    await t.database.db.insert(contactIdentities).values({ orgId: t.orgId, contactId: id, channelType: 'email', address: 'gone@example.com' });
    const session = await call('POST', '/chat/sessions', { contact_id: id });
    expect(session.status).toBe(201);

    const { status, body } = await call('DELETE', `/contacts/${id}`);
    expect(status).toBe(200);
    expectOpenContract('delete', '/contacts/{contact_id}', 200, body);
    expect(body).toEqual({ success: true });
    expect((await call('GET', `/contacts/${id}`)).status).toBe(404);
    expect((await call('GET', `/chat/sessions/${session.body.id}`)).status).toBe(404);
    expect(await t.database.db.select().from(contactIdentities).where(eq(contactIdentities.contactId, id))).toEqual([]);
    expect((await call('DELETE', `/contacts/${id}`)).status).toBe(404);
    // The email is free again.
    await create({ email: 'gone@example.com' });
  });
});

describe('who may delete a contact', () => {
  it('an agent key reads, creates and updates contacts, but deleting one (with its sessions) is a 403', async () => {
    const agent = await call('POST', '/agents', { name: 'Ann Agent', email: 'ann@example.com', create_api_key: true });
    const agentKey: string = agent.body.api_key;
    const id = await create({ email: 'kept@example.com' });
    const session = await call('POST', '/chat/sessions', { contact_id: id });
    expect((await call('GET', `/contacts/${id}`, undefined, agentKey)).status).toBe(200);
    expect((await call('PATCH', `/contacts/${id}`, { contact: { name: 'Kept' } }, agentKey)).status).toBe(200);
    expect((await call('POST', '/contacts', { contact: { email: 'by-agent@example.com' } }, agentKey)).status).toBe(201);

    const refused = await call('DELETE', `/contacts/${id}`, undefined, agentKey);
    expect(refused.status).toBe(403);
    expectOpenError(refused.body, 403);
    expect(refused.body.message).toBe('An agent key cannot do this');
    expect((await call('GET', `/contacts/${id}`)).body.name).toBe('Kept');
    expect((await call('GET', `/chat/sessions/${session.body.id}`)).status).toBe(200);
    // An admin key may.
    expect((await call('DELETE', `/contacts/${id}`)).status).toBe(200);
  });
});

describe('organization scoping', () => {
  it('hides one organization’s contacts from another (404, never listed)', async () => {
    const id = await create({ email: 'mine@example.com' });
    const other = await createOrganization(t.deps, 'Other org');
    expect((await call('GET', `/contacts/${id}`, undefined, other.adminKey)).status).toBe(404);
    expect((await call('PATCH', `/contacts/${id}`, { contact: { name: 'x' } }, other.adminKey)).status).toBe(404);
    expect((await call('DELETE', `/contacts/${id}`, undefined, other.adminKey)).status).toBe(404);
    expect((await call('GET', '/contacts', undefined, other.adminKey)).body).toEqual({ items: [], next: null });
    // The same email is free in another organization.
    const theirs = await call('POST', '/contacts', { contact: { email: 'mine@example.com' } }, other.adminKey);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(id);
    expect((await call('GET', `/contacts/${id}`)).body.name).toBeNull();
  });
});
