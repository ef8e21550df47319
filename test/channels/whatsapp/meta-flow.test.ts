import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { messages } from '../../../src/db/schema/index.ts';
import { startMetaPeer, type MetaPeer } from '../../../channels/whatsapp/meta/peer/meta-peer.ts';
import { startProviderApp, type ProviderApp } from '../../helpers/provider-app.ts';

// WhatsApp through Meta's Cloud API end to end: a local peer speaks the Graph API and posts signed webhooks
// (X-Hub-Signature-256) to the real server.

let p: ProviderApp;
let peer: MetaPeer;
let channel: Awaited<ReturnType<ProviderApp['createChannel']>>;

beforeAll(async () => {
  p = await startProviderApp();
  peer = await startMetaPeer();
  channel = await p.createChannel({
    type: 'whatsapp',
    provider: 'meta',
    name: 'WhatsApp',
    config: {
      phone_number_id: peer.phoneNumberId,
      access_token: peer.accessToken,
      app_secret: peer.appSecret,
      verify_token: peer.verifyToken,
      api_base_url: peer.url,
    },
  });
  peer.setCallback(channel.webhook_urls.inbound!);
});
afterAll(async () => {
  await peer?.close();
  await p?.close();
});

const repliesTo = (waId: string) => peer.sent.filter((s) => s.to === waId);

it('keeps the three secrets encrypted and gives one callback URL for messages and statuses', () => {
  expect(channel.provider).toBe('meta');
  expect(channel.secrets_set).toEqual(['access_token', 'app_secret', 'verify_token']);
  expect(channel.config).not.toHaveProperty('access_token');
  expect(channel.webhook_urls.inbound).toBe(`${p.publicUrl}/webhooks/${channel.id}/inbound`);
});

it("answers Meta's verification handshake only with the right verify token", async () => {
  const ok = await peer.handshake(peer.verifyToken, 'challenge-1158201444');
  expect(ok).toEqual({ status: 200, body: 'challenge-1158201444' });
  const wrong = await peer.handshake('not-the-token', 'challenge-x');
  expect(wrong.status).toBe(403);
});

it('stores a signed message, replies through the Graph API, and the status webhook marks it delivered', async () => {
  const res = await peer.sendInbound({ from: '5511987654321', name: 'Ana Souza', text: 'How long do I have to get a refund?' });
  expect(res.status).toBe(200);
  await expect.poll(() => repliesTo('5511987654321').length, { timeout: 15_000 }).toBe(1);
  const reply = repliesTo('5511987654321')[0]!;
  expect(JSON.stringify(reply.body)).toMatch(/30 days/);
  const stored = (await p.messagesOf(channel.id)).filter((m) => m.externalId === res.id);
  expect(stored).toHaveLength(1);
  const session = await p.t.json('GET', `/chat/sessions/${stored[0]!.sessionId}`);
  expect(session.body.contact.name).toBe('Ana Souza');
  await expect
    .poll(async () => (await p.messagesOf(channel.id)).find((m) => m.externalId === reply.id)?.deliveryStatus, { timeout: 10_000 })
    .toBe('delivered');
  // Meta redelivers the identical body: stored once, answered once.
  const again = await peer.sendInbound({ from: '5511987654321', name: 'Ana Souza', text: 'How long do I have to get a refund?', id: res.id });
  expect(again.status).toBe(200);
  await new Promise((r) => setTimeout(r, 800));
  expect((await p.messagesOf(channel.id)).filter((m) => m.externalId === res.id)).toHaveLength(1);
  expect(repliesTo('5511987654321')).toHaveLength(1);
});

it('refuses a bad signature with 403 and stores nothing', async () => {
  const before = (await p.messagesOf(channel.id)).length;
  const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
  expect((await peer.postSigned(body, { signature: 'sha256=' + '0'.repeat(64) })).status).toBe(403);
  expect((await peer.postSigned(body, { signature: null })).status).toBe(403);
  expect((await p.messagesOf(channel.id)).length).toBe(before);
});

it('reports a reply outside the 24-hour window clearly (131047 from the status webhook)', async () => {
  const waId = '5511900000001';
  const res = await peer.sendInbound({ from: waId, name: 'Bia', text: 'Hello there' });
  const [msg] = (await p.messagesOf(channel.id)).filter((m) => m.externalId === res.id);
  // The customer wrote 25 hours ago as far as Meta knows; our own clock still has the window open.
  peer.setLastInbound(waId, new Date(Date.now() - 25 * 3600 * 1000));
  await p.t.json('POST', `/chat/sessions/${msg!.sessionId}/send`, { sender: 'agent', message: { type: 'text', text: 'Following up on your order' } });
  await expect
    .poll(async () => (await p.messagesOf(channel.id)).find((m) => m.text === 'Following up on your order'), { timeout: 15_000 })
    .toMatchObject({ deliveryStatus: 'failed', error: expect.stringMatching(/^window_closed/) });
});

it('past 24 hours by our own clock sends the configured template, and without one fails window_closed sending nothing', async () => {
  const waId = '5511900000002';
  const res = await peer.sendInbound({ from: waId, name: 'Caio', text: 'Hi' });
  await expect.poll(() => repliesTo(waId).length, { timeout: 15_000 }).toBe(1);
  const [msg] = (await p.messagesOf(channel.id)).filter((m) => m.externalId === res.id);
  const db = p.t.database.db;
  await db.update(messages).set({ createdAt: new Date(Date.now() - 26 * 3600 * 1000) }).where(eq(messages.sessionId, msg!.sessionId));

  await p.t.json('POST', `/chat/sessions/${msg!.sessionId}/send`, { sender: 'agent', message: { type: 'text', text: 'No template yet' } });
  await expect
    .poll(async () => (await p.messagesOf(channel.id)).find((m) => m.text === 'No template yet'), { timeout: 10_000 })
    .toMatchObject({ deliveryStatus: 'failed', error: expect.stringMatching(/^window_closed/) });
  expect(repliesTo(waId)).toHaveLength(1);

  const patched = await p.t.json('PATCH', `/channels/${channel.id}`, { config: { fallback_template: { name: 'order_update', language: 'en_US' } } });
  expect(patched.status).toBe(200);
  await p.t.json('POST', `/chat/sessions/${msg!.sessionId}/send`, { sender: 'agent', message: { type: 'text', text: 'With a template' } });
  await expect.poll(() => repliesTo(waId).length, { timeout: 10_000 }).toBe(2);
  expect(repliesTo(waId)[1]!.type).toBe('template');
  expect(JSON.stringify(repliesTo(waId)[1]!.body)).toContain('order_update');
});
