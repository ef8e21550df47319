import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts } from '../../../src/db/schema/index.ts';
import { createOrganization } from '../../../src/domain/organization/organizations.ts';
import { verifyVisitorToken } from '../../../channels/web/server/visitor-token.ts';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import { expectOpenError } from '../../helpers/contract.ts';

// POST /widget/authenticate-user: the customer's server vouches for a web-chat visitor (admin key) and gets a
// signed token back; the contact is found or created, marked verified, and takes the given details.

type Json = Record<string, any>;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function authenticate(body: unknown, key?: string) {
  const res = await t.call('POST', '/widget/authenticate-user', body, key ? { key } : {});
  return { status: res.status, body: (await res.json()) as Json };
}

const row = async (id: string) => (await t.database.db.select().from(contacts).where(eq(contacts.id, id)))[0]!;

describe('POST /widget/authenticate-user', () => {
  it('creates a verified contact and returns a token for it', async () => {
    const before = Date.now();
    const { status, body } = await authenticate({
      email: 'visitor@example.com',
      name: 'Vera',
      phone: '+15550001234',
      avatar_url: 'https://cdn.example.com/v.png',
      language: 'pt-BR',
      customData: { plan: 'pro', seats: 3 },
    });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['contact', 'token']);
    const id = body.contact.id;
    const claims = verifyVisitorToken(t.deps.config.secret, body.token);
    expect(claims).toEqual({ org: t.orgId, contact: id, exp: expect.any(Number) });
    expect(claims!.exp).toBeGreaterThanOrEqual(Math.floor(before / 1000) + 86_400);
    expect(claims!.exp).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 86_400);
    expect(await row(id)).toMatchObject({
      orgId: t.orgId,
      email: 'visitor@example.com',
      name: 'Vera',
      phoneNumber: '+15550001234',
      avatarUrl: 'https://cdn.example.com/v.png',
      language: 'pt-BR',
      customData: { plan: 'pro', seats: 3 },
      verified: true,
    });
  });

  it('finds an existing contact by email (any case), verifies it and merges customData', async () => {
    const created = await t.call('POST', '/contacts', { contact: { email: 'known@example.com', custom_data: { plan: 'free', region: 'eu' } } });
    const id = ((await created.json()) as Json).id;
    expect((await row(id)).verified).toBe(false);
    const { status, body } = await authenticate({ email: 'KNOWN@example.com', name: 'Kim', customData: { plan: 'pro' } });
    expect(status).toBe(200);
    expect(body.contact.id).toBe(id);
    expect(await row(id)).toMatchObject({ name: 'Kim', verified: true, customData: { plan: 'pro', region: 'eu' } });
    const view = (await (await t.call('GET', `/contacts/${id}`)).json()) as Json;
    expect(view).toMatchObject({ verified: true, name: 'Kim', custom_data: { plan: 'pro', region: 'eu' } });
  });

  it('finds an existing contact by phone when no email is given', async () => {
    const first = await authenticate({ phone: '+15550005555', name: 'Phone Only' });
    const again = await authenticate({ phone: '+15550005555', customData: { tier: 'gold' } });
    expect(again.body.contact.id).toBe(first.body.contact.id);
    expect(await row(first.body.contact.id)).toMatchObject({ name: 'Phone Only', customData: { tier: 'gold' } });
  });

  it.each([
    ['neither email nor phone', { name: 'Nobody' }, 'email'],
    ['an unknown field', { email: 'x@example.com', custom_data: { a: '1' } }, '(body)'],
    ['a bad email', { email: 'nope' }, 'email'],
    ['nested customData', { email: 'y@example.com', customData: { a: { b: 1 } } }, 'customData.a'],
  ])('refuses %s with 400', async (_what, payload, path) => {
    const { status, body } = await authenticate(payload);
    expect(status).toBe(400);
    expectOpenError(body, 400);
    expect(body.details.map((d: Json) => d.path)).toContain(path);
  });

  it('needs an admin key (widget → 403, none → 401) and stays in the caller’s organization', async () => {
    const { key } = await t.call('POST', '/api-keys', { name: 'w', role: 'widget' }).then(async (r) => (await r.json()) as Json);
    expect((await authenticate({ email: 'w@example.com' }, key)).status).toBe(403);
    const anonymous = await t.app.request('/widget/authenticate-user', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'w@example.com' }),
    });
    expect(anonymous.status).toBe(401);

    const other = await createOrganization(t.deps, 'Other org');
    const theirs = await authenticate({ email: 'visitor@example.com' }, other.adminKey);
    expect(theirs.status).toBe(200);
    expect(await row(theirs.body.contact.id)).toMatchObject({ orgId: other.id, verified: true });
    expect(verifyVisitorToken(t.deps.config.secret, theirs.body.token)?.org).toBe(other.id);
  });
});
