import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { contacts } from '../../../src/db/schema/index.ts';
import { signIdentityJwt } from '../../../channels/web/server/identity-jwt.ts';
import { userHash } from '../../../channels/web/server/visitors.ts';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import { blobFiles } from '../../helpers/blob-files.ts';
import { expectOpenError } from '../../helpers/contract.ts';
import { awayFromWindowEdge } from '../../helpers/rate-window.ts';

// The widget's HTTP side (docs/web-chat.md): script, config, visitors (anonymous, identified by user_hash, by
// token), messages with files, and each refusal: origin, identity, size, type, length, rate (checked before any
// contact or file is written).

type Json = Record<string, any>;
let t: TestApp;
let pid: string;
let channelId: string;
const SECRET = 'identity-secret-0123456789';
const SITE = 'https://shop.example.com';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

beforeAll(async () => {
  // One proxy in front: the per-IP limit counts the address it appended to X-Forwarded-For.
  t = await createTestApp({ TRUST_PROXY_HOPS: '1' });
  const res = await t.json('POST', '/channels', {
    type: 'web',
    name: 'Shop',
    config: { allowed_origins: [SITE, 'https://*.example.org'], identity_secret: SECRET, files: { max_bytes: 1000 }, max_text_length: 50, rate_limits: { visitor_per_minute: 5 } },
  });
  expect(res.status).toBe(201);
  pid = res.body.public_id;
  channelId = res.body.id;
  expect(res.body.secrets_set).toEqual(['identity_secret']);
  expect(JSON.stringify(res.body)).not.toContain(SECRET);
});
afterAll(() => t.close());

/** A request to the widget routes of channel `publicId` (default: the Shop channel). */
const widgetOf = (publicId: string) => async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const isForm = body instanceof FormData;
  const res = await t.app.request(`/widget/${publicId}${path}`, {
    method,
    headers: { origin: SITE, ...(body !== undefined && !isForm ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: isForm ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text.startsWith('{') ? JSON.parse(text) : text) as Json };
};
const widget = (...args: Parameters<ReturnType<typeof widgetOf>>) => widgetOf(pid)(...args);
const now = () => Math.floor(Date.now() / 1000);
const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
const anonymous = async () => (await widget('POST', '/visitors', {})).body as { token: string; visitor: { contact_id: string } };
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('script and config', () => {
  it('serves the widget script to any page, and 404s an unknown channel', async () => {
    const res = await t.app.request(`/widget/${pid}/widget.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    const script = await res.text();
    expect(script).toContain('Open chat');
    const zipped = await t.app.request(`/widget/${pid}/widget.js`, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    const bytes = Buffer.from(await zipped.arrayBuffer());
    expect(bytes.length).toBeLessThan(20_000);
    expect(gunzipSync(bytes).toString()).toBe(script);
    expect((await t.app.request('/widget/ch_nope/widget.js')).status).toBe(404);
  });

  it('gives the theme and limits, with CORS for an allowed origin', async () => {
    const res = await widget('GET', '/config', undefined, { origin: 'https://a.b.example.org' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://a.b.example.org');
    expect(res.body).toEqual({
      channel: { public_id: pid, name: 'Shop' },
      theme: { color: '#4f46e5', position: 'right', title: 'Support', greeting: 'Hi! How can we help?', ai_name: 'Assistant' },
      limits: { max_text_length: 50, max_file_bytes: 1000, allowed_file_types: ['image/*', 'application/pdf', 'text/plain'] },
      identity_verification: true,
    });
  });

  it('refuses a disallowed origin (and its preflight) with a 403 that says how to allow it', async () => {
    for (const origin of ['https://evil.example.net', 'https://example.org', 'http://shop.example.com']) {
      const res = await widget('GET', '/config', undefined, { origin });
      expect(res.status, origin).toBe(403);
      expectOpenError(res.body, 403);
      expect(res.body.message).toBe(`Origin ${origin} may not use this chat: add it to the channel's allowed_origins`);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
    const preflight = await widget('OPTIONS', '/messages', undefined, { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' });
    expect(preflight.status).toBe(403);
    const ok = await widget('OPTIONS', '/messages', undefined, { 'access-control-request-method': 'POST' });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SITE);
  });

  it('lets Switchboard’s own pages in (the demo), by PUBLIC_URL or the request’s host', async () => {
    expect((await widget('GET', '/config', undefined, { origin: 'https://switchboard.test' })).status).toBe(200);
    expect((await widget('GET', '/config', undefined, { origin: 'http://localhost:3000', host: 'localhost:3000' })).status).toBe(200);
  });
});

describe('visitors', () => {
  it('makes an anonymous visitor, and renews their token for the same contact', async () => {
    const first = await widget('POST', '/visitors', { name: 'Someone', email: 'ceo@example.com' });
    expect(first.status).toBe(200);
    expect(first.body.visitor).toEqual({ contact_id: expect.any(String), verified: false });
    const again = await widget('POST', '/visitors', { token: first.body.token });
    expect(again.body.visitor.contact_id).toBe(first.body.visitor.contact_id);
    // What an anonymous visitor claims is kept as non-verified: it never takes over a contact by email.
    const contact = (await t.json('GET', `/contacts/${first.body.visitor.contact_id}`)).body;
    expect(contact).toMatchObject({ email: null, name: null, non_verified_name: 'Someone', non_verified_email: 'ceo@example.com' });
  });

  it('identifies a visitor by user_id and a correct user_hash, as a contact with a web identity', async () => {
    const body = { user_id: 'u-42', user_hash: userHash(SECRET, 'u-42'), name: 'Ada', email: 'ada@example.com' };
    const a = await widget('POST', '/visitors', body);
    expect(a.status).toBe(200);
    expect(a.body.visitor.verified).toBe(true);
    const b = await widget('POST', '/visitors', body);
    expect(b.body.visitor.contact_id).toBe(a.body.visitor.contact_id);
    const contact = (await t.json('GET', `/contacts/${a.body.visitor.contact_id}`)).body;
    // user_hash signs the id only: the name and email beside it stay non-verified.
    expect(contact).toMatchObject({
      name: null,
      email: null,
      non_verified_name: 'Ada',
      non_verified_email: 'ada@example.com',
      identities: [{ channel_type: 'web', address: 'u-42' }],
    });
  });

  it('identifies a visitor by an HS256 user_jwt, whose signed name and email become the contact’s', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const jwt = signIdentityJwt(SECRET, { sub: 'u-77', name: 'Grace', email: 'grace@example.com', exp });
    const res = await widget('POST', '/visitors', { user_jwt: jwt });
    expect(res.status).toBe(200);
    expect(res.body.visitor.verified).toBe(true);
    const contact = (await t.json('GET', `/contacts/${res.body.visitor.contact_id}`)).body;
    expect(contact).toMatchObject({ name: 'Grace', email: 'grace@example.com', identities: [{ channel_type: 'web', address: 'u-77' }] });
  });

  it.each([
    ['another secret', () => signIdentityJwt('another-secret-0123456', { sub: 'u-77', exp: now() + 600 }), 'user_jwt signature does not match the identity_secret'],
    ['expired', () => signIdentityJwt(SECRET, { sub: 'u-77', exp: now() - 120 }), 'user_jwt has expired'],
    ['living a day', () => signIdentityJwt(SECRET, { sub: 'u-77', exp: now() + 86_400 }), 'user_jwt must expire within an hour'],
    ['alg none', () => `${b64({ alg: 'none' })}.${b64({ sub: 'u-77', exp: now() + 60 })}.`, 'user_jwt must be signed with HS256'],
    ['not a JWT', () => 'abc', 'user_jwt is not a JWT'],
  ])('refuses a user_jwt %s with a 401', async (_name, make, message) => {
    const res = await widget('POST', '/visitors', { user_jwt: make() });
    expect(res.status).toBe(401);
    expect(res.body.message).toBe(message);
  });

  it('refuses a wrong user_hash with a 401 and creates nothing', async () => {
    const before = (await t.json('GET', '/contacts?limit=100')).body.items.length;
    for (const user_hash of [userHash(SECRET, 'u-43'), userHash('another-secret-0123456', 'u-42'), 'zz', undefined]) {
      const res = await widget('POST', '/visitors', { user_id: 'u-42', user_hash });
      expect(res.status).toBe(401);
      expectOpenError(res.body, 401);
      expect(res.body.message).toBe('user_hash does not match user_id: it must be hex(HMAC-SHA256(identity_secret, user_id))');
    }
    expect((await t.json('GET', '/contacts?limit=100')).body.items.length).toBe(before);
  });

  it('refuses a tampered token, and one of another organization', async () => {
    const { token } = await anonymous();
    const tampered = `${token.slice(0, -2)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect((await widget('POST', '/visitors', { token: tampered })).status).toBe(401);
    const other = await t.json('POST', '/widget/authenticate-user', { email: 'x@example.com' });
    expect(other.status).toBe(200);
    // A token of this org (from the Open-compatible endpoint) works; the web chat accepts it.
    expect((await widget('POST', '/visitors', { token: other.body.token })).status).toBe(200);
  });
});

describe('messages', () => {
  it('stores a text message once per client_msg_id and opens the visitor’s session', async () => {
    const { token, visitor } = await anonymous();
    const client_msg_id = randomUUID();
    const first = await widget('POST', '/messages', { client_msg_id, text: 'Hello there' }, auth(token));
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ client_msg_id, id: expect.any(String), seq: expect.any(Number), session_id: expect.any(String) });
    const again = await widget('POST', '/messages', { client_msg_id, text: 'Hello there' }, auth(token));
    expect(again.body).toEqual(first.body);
    const session = (await t.json('GET', `/chat/sessions/${first.body.session_id}`)).body;
    expect(session).toMatchObject({ channel: { type: 'web', id: channelId }, contact: { id: visitor.contact_id } });
    const history = (await t.json('GET', `/chat/sessions/${first.body.session_id}/history`)).body.items;
    expect(history.filter((i: Json) => i.event.type === 'message')).toHaveLength(1);
  });

  it('stores an image sent as multipart, typed from its bytes, behind a signed link', async () => {
    const { token } = await anonymous();
    const form = new FormData();
    form.set('client_msg_id', randomUUID());
    // The browser's claimed type is ignored: the bytes say PNG.
    form.set('file', new File([PNG], '../../etc/photo.png', { type: 'application/x-evil' }));
    const res = await widget('POST', '/messages', form, auth(token));
    expect(res.status).toBe(201);
    const history = (await t.json('GET', `/chat/sessions/${res.body.session_id}/history`)).body.items;
    const [file] = history.find((i: Json) => i.id === res.body.id).event.attachments;
    expect(file).toMatchObject({ name: 'photo.png', type: 'image/png', size: PNG.length });
    const download = await t.app.request(new URL(file.url).pathname + new URL(file.url).search);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('refuses an oversized file (413), a disallowed type (415) and an empty message (400), storing nothing', async () => {
    const { token, visitor } = await anonymous();
    const send = async (file: File) => {
      const form = new FormData();
      form.set('client_msg_id', randomUUID());
      form.set('file', file);
      return widget('POST', '/messages', form, auth(token));
    };
    const big = await send(new File([Buffer.alloc(1001, 1)], 'big.bin'));
    expect(big.status).toBe(413);
    expectOpenError(big.body, 413);
    expect(big.body.message).toBe('big.bin is 0.00 MB; this chat accepts files up to 0.00 MB');
    const zip = await send(new File([Buffer.from('504b0304140000000800', 'hex'), Buffer.alloc(100)], 'x.pdf', { type: 'application/pdf' }));
    expect(zip.status).toBe(415);
    expect(zip.body.message).toMatch(/^x\.pdf is application\/zip; this chat accepts image\/\*, application\/pdf, text\/plain$/);
    const empty = await widget('POST', '/messages', { client_msg_id: randomUUID(), text: '   ' }, auth(token));
    expect(empty.status).toBe(400);
    expect((await t.json('GET', `/chat/sessions?contact_id=${visitor.contact_id}`)).body.items).toEqual([]);
  });

  it('refuses text over the channel limit, a missing token and a bad client_msg_id', async () => {
    const { token } = await anonymous();
    const long = await widget('POST', '/messages', { client_msg_id: randomUUID(), text: 'x'.repeat(51) }, auth(token));
    expect(long.status).toBe(400);
    expect(long.body.message).toBe('The message is 51 characters; the limit is 50');
    expect((await widget('POST', '/messages', { client_msg_id: randomUUID(), text: 'hi' })).status).toBe(401);
    const bad = await widget('POST', '/messages', { client_msg_id: 'nope', text: 'hi' }, auth(token));
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ path: 'client_msg_id', message: 'client_msg_id must be a UUID' }]);
  });

  it('rate-limits a visitor (429 with Retry-After), per visitor', async () => {
    const { token } = await anonymous();
    await awayFromWindowEdge();
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof widget>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await widget('POST', '/messages', { client_msg_id: randomUUID(), text: `m${i}` }, auth(token));
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('access-control-allow-origin')).toBe(SITE);
    const other = await anonymous();
    expect((await widget('POST', '/messages', { client_msg_id: randomUUID(), text: 'hi' }, auth(other.token))).status).toBe(201);
  });
});

describe('per-IP limits', () => {
  it('counts every visitor of one address together, as the trusted proxy saw it', async () => {
    const ch = await t.json('POST', '/channels', { type: 'web', name: 'Kiosk', config: { allowed_origins: [SITE], rate_limits: { ip_per_minute: 2 } } });
    const post = async (path: string, body: unknown, headers: Record<string, string>) => {
      const res = await t.app.request(`/widget/${ch.body.public_id}${path}`, {
        method: 'POST',
        headers: { origin: SITE, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const send = async (ip: string) => {
      const { token } = (await post('/visitors', {}, {})).body;
      // The client may write anything on the left; only the proxy's entry (the last) counts.
      return (await post('/messages', { client_msg_id: randomUUID(), text: 'hi' }, { ...auth(token), 'x-forwarded-for': `${randomUUID()}, ${ip}` })).status;
    };
    const statuses: number[] = [];
    await awayFromWindowEdge();
    for (let i = 0; i < 5; i++) statuses.push(await send('203.0.113.7'));
    // A sliding minute: the first two, then none.
    expect(statuses).toEqual([201, 201, 429, 429, 429]);
    expect(await send('198.51.100.1')).toBe(201);
  });
});

describe('limits before writes', () => {
  const newChannel = async (name: string, rate_limits: Json) => {
    const ch = await t.json('POST', '/channels', { type: 'web', name, config: { allowed_origins: [SITE], rate_limits } });
    expect(ch.status).toBe(201);
    return widgetOf(ch.body.public_id);
  };
  const contactCount = async () =>
    (await t.database.db.select({ n: count() }).from(contacts).where(eq(contacts.orgId, t.orgId)))[0]!.n;
  const fileMessage = (bytes: Buffer) => {
    const form = new FormData();
    form.set('client_msg_id', randomUUID());
    form.set('file', new File([bytes], 'note.txt'));
    return form;
  };
  const from = (ip: string) => ({ 'x-forwarded-for': ip });

  it('refuses a file message over the visitor’s limit with a 429 before its file reaches the blob store', async () => {
    const chat = await newChannel('Uploads', { visitor_per_minute: 1 });
    const { token } = (await chat('POST', '/visitors', {})).body;
    await awayFromWindowEdge();
    expect((await chat('POST', '/messages', { client_msg_id: randomUUID(), text: 'first' }, auth(token))).status).toBe(201);
    const before = blobFiles(t.deps);
    const refused = await chat('POST', '/messages', fileMessage(Buffer.from(`never stored ${randomUUID()}`)), auth(token));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blobFiles(t.deps)).toEqual(before);
    // Another visitor's file message within its limit is stored: the count above would have seen a file.
    const other = (await chat('POST', '/visitors', {})).body.token;
    expect((await chat('POST', '/messages', fileMessage(Buffer.from(`stored ${randomUUID()}`)), auth(other))).status).toBe(201);
    expect(blobFiles(t.deps)).toHaveLength(before.length + 1);
  });

  it('limits new anonymous visitors per address (429 with Retry-After), creating no contact for a refused one', async () => {
    const chat = await newChannel('Visitors per address', { new_visitors_ip_per_minute: 3 });
    const made = [];
    await awayFromWindowEdge();
    for (let i = 0; i < 3; i++) made.push(await chat('POST', '/visitors', {}, from('203.0.113.20')));
    expect(made.map((r) => r.status)).toEqual([200, 200, 200]);
    const before = await contactCount();
    const refused = await chat('POST', '/visitors', {}, from('203.0.113.20'));
    expect(refused.status).toBe(429);
    expectOpenError(refused.body, 429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(await contactCount()).toBe(before);
    // Renewing a token makes no contact and is not counted; another address has its own count.
    expect((await chat('POST', '/visitors', { token: made[0]!.body.token }, from('203.0.113.20'))).status).toBe(200);
    expect((await chat('POST', '/visitors', {}, from('198.51.100.20'))).status).toBe(200);
  });

  it('limits new anonymous visitors for the whole channel, whatever their addresses', async () => {
    const chat = await newChannel('Visitors per channel', { new_visitors_per_minute: 4 });
    const statuses = [];
    await awayFromWindowEdge();
    for (let i = 0; i < 6; i++) statuses.push((await chat('POST', '/visitors', {}, from(`192.0.2.${i + 1}`))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    // The Shop channel counts its own visitors.
    expect((await widget('POST', '/visitors', {}, from('192.0.2.9'))).status).toBe(200);
  });
});

describe('random input', () => {
  // Anything a page (or an attacker posing as one) sends gets a 4xx with the error body, never a 5xx.
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('', '\u0000', '\ud800', 'not-a-uuid', randomUUID(), -1, 1e308, true, null),
      fc.integer(),
      fc.array(tie('v'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('token', 'user_id', 'user_hash', 'client_msg_id', 'text', 'custom_data', 'x'), tie('v'), { maxKeys: 4 }),
    ),
  })).v;

  it.each(['/visitors', '/messages'])('POST %s: < 500, the error body on 4xx', async (path) => {
    const { token } = await anonymous();
    await fc.assert(
      fc.asyncProperty(value, fc.boolean(), async (body, withToken) => {
        const res = await widget('POST', path, body, withToken ? auth(token) : {});
        expect(res.status, JSON.stringify(body)).toBeLessThan(500);
        if (res.status >= 400) expectOpenError(res.body, res.status);
      }),
      { numRuns: 60 },
    );
  });
});

describe('the demo page', () => {
  it('embeds the default web channel’s widget', async () => {
    const res = await t.app.request('/demo');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<script src="\/widget\/ch_[\w-]+\/widget\.js" async><\/script>/);
    expect(html).not.toContain('{{');
  });
});
