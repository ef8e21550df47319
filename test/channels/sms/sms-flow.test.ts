import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { messages } from '../../../src/db/schema/index.ts';
import { startTwilioPeer, type TwilioPeer } from '../../../channels/shared/twilio/peer/twilio-peer.ts';
import { startProviderApp, type ProviderApp } from '../../helpers/provider-app.ts';

// An SMS channel end to end: the real twilio SDK talks to a local peer that speaks Twilio's REST API and posts
// Twilio-signed webhooks to the real server; the workers answer from knowledge.

let p: ProviderApp;
let peer: TwilioPeer;
let channel: Awaited<ReturnType<ProviderApp['createChannel']>>;
const SHOP = '+14155550100';
// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  p = await startProviderApp();
  peer = await startTwilioPeer();
  channel = await p.createChannel({
    type: 'sms',
    name: 'Support SMS',
    config: { account_sid: peer.accountSid, auth_token: peer.authToken, from: SHOP, api_base_url: peer.url, help_text: 'Acme support. Reply STOP to opt out.' },
  });
});
afterAll(async () => {
  await peer?.close();
  await p?.close();
});

const inbound = () => channel.webhook_urls.inbound!;
const byExternal = async (externalId: string) => (await p.messagesOf(channel.id)).filter((m) => m.externalId === externalId);
const repliesTo = (to: string) => peer.sent.filter((s) => s.to === to);

it('answers the admin with the webhook URLs, and keeps the auth token out of the config', async () => {
  expect(channel.webhook_urls).toEqual({
    inbound: `${p.publicUrl}/webhooks/${channel.id}/inbound`,
    status: `${p.publicUrl}/webhooks/${channel.id}/status`,
  });
  expect(channel.config).not.toHaveProperty('auth_token');
  expect(channel.secrets_set).toEqual(['auth_token']);
  const bad = await p.t.json('POST', '/channels', { type: 'sms', name: 'x', config: { account_sid: 'nope', auth_token: 't', from: SHOP } });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body.details)).toMatch(/config\.account_sid/);
  const neither = await p.t.json('POST', '/channels', { type: 'sms', name: 'x', config: { account_sid: peer.accountSid, auth_token: 't' } });
  expect(neither.status).toBe(400);
});

it('stores a signed SMS, acknowledges with TwiML, and sends the AI reply through the REST API; the status callback marks it delivered', async () => {
  const from = '+14155550123';
  const res = await peer.sendInbound(inbound(), { from, to: SHOP, body: 'How long do I have to get a refund?' });
  expect(res.status).toBe(200);
  expect(res.body).toContain('<Response');
  await peer.waitForSent(1, 15_000);
  const reply = repliesTo(from)[0]!;
  expect(reply.from).toBe(SHOP);
  expect(reply.body).toMatch(/30 days/);
  expect(reply.statusCallback).toMatch(new RegExp(`^${channel.webhook_urls.status}\\?o=`));
  const stored = await byExternal(res.messageSid);
  expect(stored).toHaveLength(1);
  await expect
    .poll(async () => (await p.messagesOf(channel.id)).find((m) => m.externalId === reply.sid)?.deliveryStatus, { timeout: 10_000 })
    .toBe('delivered');
});

it('refuses a missing or wrong signature with 403 and stores nothing', async () => {
  const before = (await p.messagesOf(channel.id)).length;
  const params = { MessageSid: 'SM' + 'a'.repeat(32), AccountSid: peer.accountSid, From: '+14155550999', To: SHOP, Body: 'forged' };
  const missing = await peer.postSigned(inbound(), params, { signature: null });
  const wrong = await peer.postSigned(inbound(), params, { signature: 'bm90IGEgc2lnbmF0dXJl' });
  expect(missing.status).toBe(403);
  expect(wrong.status).toBe(403);
  expect((await p.messagesOf(channel.id)).length).toBe(before);
});

it('stores a webhook delivered three times once, and replies once', async () => {
  const from = '+14155550124';
  const first = await peer.sendInbound(inbound(), { from, to: SHOP, body: 'How long does shipping take?' });
  const again = await Promise.all([1, 2].map(() => peer.sendInbound(inbound(), { from, to: SHOP, body: 'How long does shipping take?', messageSid: first.messageSid })));
  expect([first.status, ...again.map((r) => r.status)]).toEqual([200, 200, 200]);
  await expect.poll(() => repliesTo(from).length, { timeout: 15_000 }).toBe(1);
  await new Promise((r) => setTimeout(r, 1000));
  expect(repliesTo(from)).toHaveLength(1);
  expect(await byExternal(first.messageSid)).toHaveLength(1);
});

it('fetches an MMS image with the account credentials into the blob store', async () => {
  const res = await peer.sendInbound(inbound(), { from: '+14155550125', to: SHOP, body: 'Here is the damage', media: [{ bytes: PNG, contentType: 'image/png' }] });
  expect(res.status).toBe(200);
  const [msg] = await byExternal(res.messageSid);
  const files = await p.attachmentsOf(msg!.id);
  expect(files).toHaveLength(1);
  expect(files[0]!).toMatchObject({ contentType: 'image/png', size: PNG.length });
  expect(files[0]!.blobKey).toBeTruthy();
  expect(Buffer.from((await p.t.deps.blobs.get(files[0]!.blobKey!))!)).toEqual(PNG);
});

it('STOP opts the contact out: no AI answer, and a later reply is not sent, with the reason on it; HELP answers the help text; START opts back in', async () => {
  const from = '+14155550126';
  const stop = await peer.sendInbound(inbound(), { from, to: SHOP, body: 'STOP' });
  expect(stop.status).toBe(200);
  const [stopMsg] = await byExternal(stop.messageSid);
  expect(await optedOutOf(stopMsg!.sessionId)).toEqual(['sms']);
  const sent = await p.t.json('POST', `/chat/sessions/${stopMsg!.sessionId}/send`, { sender: 'agent', message: { type: 'text', text: 'Are you sure?' } });
  expect(sent.status).toBe(201);
  await expect
    .poll(async () => (await p.t.database.db.select().from(messages).where(eq(messages.sessionId, stopMsg!.sessionId))).find((m) => m.text === 'Are you sure?'), { timeout: 10_000 })
    .toMatchObject({ deliveryStatus: 'failed', error: expect.stringMatching(/^opted_out/) });
  expect(repliesTo(from)).toHaveLength(0);

  const help = await peer.sendInbound(inbound(), { from, to: SHOP, body: 'help' });
  expect(help.status).toBe(200);
  // Opted out: even HELP's answer is held back (the carrier answers HELP for opted-out numbers).
  const start = await peer.sendInbound(inbound(), { from, to: SHOP, body: 'START' });
  expect(start.status).toBe(200);
  expect(await optedOutOf(stopMsg!.sessionId)).not.toContain('sms');
  await peer.sendInbound(inbound(), { from, to: SHOP, body: 'HELP' });
  await expect.poll(() => repliesTo(from).map((s) => s.body), { timeout: 10_000 }).toContain('Acme support. Reply STOP to opt out.');
  // None of the keywords got an AI answer.
  const ai = (await p.t.database.db.select().from(messages).where(eq(messages.sessionId, stopMsg!.sessionId))).filter((m) => m.sender === 'ai');
  expect(ai).toHaveLength(0);
});

/** What the API shows: the session's contact and the channel types it opted out of. */
async function optedOutOf(sessionId: string): Promise<string[]> {
  const s = await p.t.json('GET', `/chat/sessions/${sessionId}`);
  return s.body.contact.opted_out;
}

it('classifies provider errors: an invalid number fails with the reason, a 429 is retried and delivered', async () => {
  const from = '+14155550127';
  const hello = await peer.sendInbound(inbound(), { from, to: SHOP, body: 'STOP' });
  const [m] = await byExternal(hello.messageSid);
  await peer.sendInbound(inbound(), { from, to: SHOP, body: 'START' });

  peer.failNext(1, { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
  await p.t.json('POST', `/chat/sessions/${m!.sessionId}/send`, { sender: 'agent', message: { type: 'text', text: 'First try' } });
  await expect
    .poll(async () => (await p.messagesOf(channel.id)).find((x) => x.text === 'First try'), { timeout: 10_000 })
    .toMatchObject({ deliveryStatus: 'failed', error: expect.stringMatching(/invalid_recipient.*21211/) });

  peer.failNext(1, { status: 429, code: 20429, message: 'Too Many Requests', retryAfter: 1 });
  await p.t.json('POST', `/chat/sessions/${m!.sessionId}/send`, { sender: 'agent', message: { type: 'text', text: 'Second try' } });
  await expect
    .poll(async () => (await p.messagesOf(channel.id)).find((x) => x.text === 'Second try')?.deliveryStatus, { timeout: 15_000 })
    .toBe('delivered');
});

it('records an undelivered status callback with the carrier error code', async () => {
  const from = '+14155550128';
  peer.setStatusOutcome(from, { status: 'undelivered', errorCode: 30003 });
  const res = await peer.sendInbound(inbound(), { from, to: SHOP, body: 'How long do I have to get a refund?' });
  expect(res.status).toBe(200);
  await expect
    .poll(async () => (await p.messagesOf(channel.id)).find((x) => x.sender === 'ai' && repliesTo(from).some((s) => s.sid === x.externalId)), { timeout: 15_000 })
    .toMatchObject({ deliveryStatus: 'undelivered', error: expect.stringMatching(/30003|undelivered/) });
});

it("sends an agent's file as MMS media Twilio can fetch, and splits a long reply into parts", async () => {
  const from = '+14155550129';
  const hello = await peer.sendInbound(inbound(), { from, to: SHOP, body: 'STOP' });
  const [m] = await byExternal(hello.messageSid);
  await peer.sendInbound(inbound(), { from, to: SHOP, body: 'START' });

  const file = { name: 'label.png', mime_type: 'image/png', base64: PNG.toString('base64') };
  const sent = await p.t.json('POST', `/chat/sessions/${m!.sessionId}/send`, { sender: 'agent', message: { type: 'text', text: 'Your return label', attachments: [file] } });
  expect(sent.status).toBe(201);
  await expect.poll(() => repliesTo(from).length, { timeout: 10_000 }).toBe(1);
  const mms = repliesTo(from)[0]!;
  expect(mms.body).toBe('Your return label');
  expect(mms.mediaUrls).toHaveLength(1);
  // The link is public (signed), as Twilio needs: it serves the very bytes.
  const media = await fetch(mms.mediaUrls[0]!);
  expect(media.status).toBe(200);
  expect(Buffer.from(await media.arrayBuffer())).toEqual(PNG);

  const long = Array.from({ length: 60 }, (_, i) => `Step ${i + 1}: follow the instructions carefully.`).join(' ');
  expect(long.length).toBeGreaterThan(1600);
  await p.t.json('POST', `/chat/sessions/${m!.sessionId}/send`, { sender: 'agent', message: { type: 'text', text: long } });
  await expect.poll(() => repliesTo(from).length, { timeout: 10_000 }).toBe(3);
  const parts = repliesTo(from).slice(1).map((s) => s.body);
  expect(parts.every((b) => b.length <= 1600)).toBe(true);
  expect(parts.join(' ')).toBe(long);
});
