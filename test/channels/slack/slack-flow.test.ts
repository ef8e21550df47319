import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSlackPeer, type SlackPeer } from '../../../channels/slack/peer/slack-peer.ts';
import { startProviderApp, type ProviderApp } from '../../helpers/provider-app.ts';

// The Slack channel end to end: a local peer speaks Slack's Web API and posts signed Events API requests to the
// real server; Bolt (inside the adapter) handles the events; replies go back in the same thread.

let p: ProviderApp;
let peer: SlackPeer;
let channel: Awaited<ReturnType<ProviderApp['createChannel']>>;
const CUSTOMER = 'U02CUST';

beforeAll(async () => {
  p = await startProviderApp();
  peer = await startSlackPeer();
  peer.addUser(CUSTOMER, { realName: 'Ada Lovelace', email: 'ada@example.com' });
  channel = await p.createChannel({
    type: 'slack',
    name: 'Slack',
    config: { bot_token: peer.botToken, signing_secret: peer.signingSecret, api_base_url: `${peer.url}/api` },
  });
});
afterAll(async () => {
  await peer?.close();
  await p?.close();
});

const events = () => channel.webhook_urls.events!;
const stored = async () => (await p.messagesOf(channel.id)).filter((m) => m.direction === 'in');
const postedIn = (ch: string) => peer.posted.filter((m) => m.channel === ch);

it('answers the admin with the events and OAuth redirect URLs, secrets sealed', () => {
  expect(channel.webhook_urls.events).toBe(`${p.publicUrl}/webhooks/${channel.id}/events`);
  expect(channel.webhook_urls.oauth_redirect).toBe(`${p.publicUrl}/webhooks/${channel.id}/oauth/callback`);
  expect(channel.secrets_set).toEqual(['bot_token', 'signing_secret']);
  expect(JSON.stringify(channel.config)).not.toContain(peer.botToken);
});

it("answers Slack's url_verification with the challenge", async () => {
  const res = await peer.urlVerification(events(), 'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWM');
  expect(res.status).toBe(200);
  expect(res.body).toContain('challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWM');
});

it('turns a DM into a session, answers in the DM, and knows the sender from their profile', async () => {
  const dm = await peer.dm(events(), { user: CUSTOMER, text: 'How long do I have to get a refund?' });
  expect(dm.status).toBe(200);
  await expect.poll(() => peer.posted.length, { timeout: 15_000 }).toBe(1);
  const reply = peer.posted[0]!;
  expect(reply.channel).toMatch(/^D/);
  expect(reply.text).toMatch(/30 days/);
  expect(reply.token).toBe(peer.botToken);
  const [msg] = (await stored()).filter((m) => m.externalId?.endsWith(dm.ts));
  const session = await p.t.json('GET', `/chat/sessions/${msg!.sessionId}`);
  expect(session.body.contact).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com' });
  await expect
    .poll(async () => (await p.messagesOf(channel.id)).find((m) => m.sender === 'ai')?.deliveryStatus, { timeout: 5000 })
    .toBe('delivered');

  // Slack's retry of the same event (same event_id, X-Slack-Retry-Num) stores nothing new and answers nothing new.
  const before = (await stored()).length;
  const retry = await peer.dm(events(), { user: CUSTOMER, text: 'How long do I have to get a refund?', ts: dm.ts }, { eventId: dm.eventId, retryNum: 1 });
  expect(retry.status).toBe(200);
  await new Promise((r) => setTimeout(r, 800));
  expect((await stored()).length).toBe(before);
  expect(peer.posted).toHaveLength(1);
});

it('a channel mention starts a thread-session; a reply in the thread continues it; replies go in the thread', async () => {
  const ch = 'C04SUPPORT';
  const top = await peer.mention(events(), { user: CUSTOMER, channel: ch, text: 'How long does shipping take?' });
  expect(top.status).toBe(200);
  await expect.poll(() => postedIn(ch).length, { timeout: 15_000 }).toBe(1);
  expect(postedIn(ch)[0]!.thread_ts).toBe(top.ts);

  // The same post arrives as `message` too (a second event id): stored once.
  await peer.channelMessage(events(), { user: CUSTOMER, channel: ch, text: `<@${peer.botUserId}> How long does shipping take?`, ts: top.ts });
  const follow = await peer.channelMessage(events(), { user: CUSTOMER, channel: ch, text: 'And how long do I have to get a refund?', thread_ts: top.ts });
  expect(follow.status).toBe(200);
  await expect.poll(() => postedIn(ch).length, { timeout: 15_000 }).toBe(2);
  expect(postedIn(ch)[1]!.thread_ts).toBe(top.ts);
  const inThread = (await stored()).filter((m) => m.externalId?.startsWith(`${peer.teamId}:${ch}:`));
  expect(inThread).toHaveLength(2);
  expect(new Set(inThread.map((m) => m.sessionId)).size).toBe(1);

  // Our own bot's posts and other bots are not customers.
  const before = (await stored()).length;
  await peer.channelMessage(events(), { user: peer.botUserId, channel: ch, text: 'echo of our own reply', thread_ts: top.ts });
  await peer.channelMessage(events(), { user: 'U0OTHER', channel: ch, text: 'a bot says hi', bot_id: 'B0OTHER', subtype: 'bot_message' });
  expect((await stored()).length).toBe(before);
});

it('refuses a bad signature and a stale timestamp with 401, storing nothing', async () => {
  const before = (await stored()).length;
  const bad = await peer.dm(events(), { user: CUSTOMER, text: 'forged' }, { signature: 'v0=' + '0'.repeat(64) });
  const stale = await peer.dm(events(), { user: CUSTOMER, text: 'replayed' }, { timestamp: Math.floor(Date.now() / 1000) - 600 });
  const missing = await peer.dm(events(), { user: CUSTOMER, text: 'unsigned' }, { signature: null });
  expect([bad.status, stale.status, missing.status]).toEqual([401, 401, 401]);
  expect((await stored()).length).toBe(before);
});

it('waits out a 429 from Slack and then delivers the reply', async () => {
  peer.rateLimitNext(1, 1);
  const user = 'U03LATE';
  const dm = await peer.dm(events(), { user, text: 'How long does shipping take?' });
  expect(dm.status).toBe(200);
  const dmChannel = (await p.messagesOf(channel.id)).find((m) => m.externalId?.endsWith(dm.ts))!.externalId!.split(':')[1]!;
  await expect.poll(() => postedIn(dmChannel).length, { timeout: 20_000 }).toBe(1);
  const sessionId = (await stored()).find((x) => x.externalId?.endsWith(dm.ts))!.sessionId;
  // Delivered, not failed: the 429 cost a delay, not an attempt.
  await expect
    .poll(async () => (await p.messagesOf(channel.id)).filter((m) => m.sender === 'ai' && m.sessionId === sessionId).map((m) => m.deliveryStatus), { timeout: 5000 })
    .toEqual(['delivered']);
});

it('installs through OAuth ("Add to Slack") and then works with the stored workspace token', async () => {
  const oauth = await p.createChannel({
    type: 'slack',
    name: 'Slack via OAuth',
    config: { signing_secret: peer.signingSecret, client_id: peer.clientId, client_secret: peer.clientSecret, api_base_url: `${peer.url}/api`, authorize_url: peer.authorizeUrl },
  });
  const install = await fetch(oauth.webhook_urls.install!, { redirect: 'manual' });
  expect(install.status).toBe(302);
  const authorize = new URL(install.headers.get('location')!);
  expect(authorize.origin + authorize.pathname).toBe(peer.authorizeUrl);
  expect(authorize.searchParams.get('redirect_uri')).toBe(oauth.webhook_urls.oauth_redirect);
  // The user clicks Allow: Slack sends the browser back with a code.
  const approved = await fetch(authorize, { redirect: 'manual' });
  const callback = approved.headers.get('location')!;
  expect(callback.startsWith(oauth.webhook_urls.oauth_redirect!)).toBe(true);
  const done = await fetch(callback);
  expect(done.status).toBe(200);
  expect(await done.text()).toMatch(/installed/i);
  // A forged state is refused.
  const forged = await fetch(callback.replace(/state=[^&]+/, 'state=1.deadbeef'));
  expect(forged.status).toBe(400);

  const view = await p.t.json('GET', `/channels/${oauth.id}`);
  expect(view.body.secrets_set).toContain('installations');
  const token = peer.installs.at(-1)!.access_token;
  const dm = await peer.dm(oauth.webhook_urls.events!, { user: CUSTOMER, text: 'How long does shipping take?', channel: 'D09OAUTH' });
  expect(dm.status).toBe(200);
  await expect.poll(() => postedIn('D09OAUTH').length, { timeout: 15_000 }).toBe(1);
  expect(postedIn('D09OAUTH')[0]!.token).toBe(token);
});

it("downloads a file from a DM with the bot token into the blob store", async () => {
  const bytes = Buffer.from('%PDF-1.4 invoice for order A-1001');
  const file = peer.addFile(bytes, 'application/pdf', 'invoice.pdf');
  const dm = await peer.dm(events(), { user: 'U04FILE', text: 'Here is my invoice', files: [file] });
  expect(dm.status).toBe(200);
  const [msg] = (await stored()).filter((m) => m.externalId?.endsWith(dm.ts));
  const [att] = await p.attachmentsOf(msg!.id);
  expect(att).toMatchObject({ filename: 'invoice.pdf', contentType: 'application/pdf', size: bytes.length });
  expect(Buffer.from((await p.t.deps.blobs.get(att!.blobKey!))!)).toEqual(bytes);
});
