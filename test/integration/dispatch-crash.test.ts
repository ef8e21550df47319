import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { channels, messages } from '../../src/db/schema/index.ts';
import { buildAdapter } from '../../src/domain/channels/channel-adapter.ts';
import { enqueueMessageJobs } from '../../src/queue/enqueue.ts';
import { startTwilioPeer, type TwilioPeer } from '../../channels/shared/twilio/peer/twilio-peer.ts';
import { startProviderApp, type ProviderApp } from '../helpers/provider-app.ts';

// A dispatch process dies between the provider call and the record of its receipt (kill -9 there leaves the
// reply queued, marked `sending`). The retry must not send it twice where the provider lets us know: a reply
// Twilio took is found in its Message list (same recipient and body, created since the send began); one it never
// got is sent once, even when the same text went to the same customer earlier.

let p: ProviderApp;
let peer: TwilioPeer;
let channel: Awaited<ReturnType<ProviderApp['createChannel']>>;
const SHOP = '+14155550100';
const CUSTOMER = '+14155550177';

beforeAll(async () => {
  p = await startProviderApp();
  peer = await startTwilioPeer();
  channel = await p.createChannel({
    type: 'sms',
    name: 'Support SMS',
    config: { account_sid: peer.accountSid, auth_token: peer.authToken, from: SHOP, api_base_url: peer.url },
  });
  await peer.sendInbound(channel.webhook_urls.inbound!, { from: CUSTOMER, to: SHOP, body: 'How long does shipping take?' });
  await peer.waitForSent(1, 15_000);
});
afterAll(async () => {
  await peer?.close();
  await p?.close();
});

/** A reply committed and marked `sending` by a process that then died (its job still to be retried). */
async function orphanedReply(text: string) {
  const [first] = await p.messagesOf(channel.id);
  const [row] = await p.t.database.db
    .insert(messages)
    .values({
      orgId: first!.orgId, sessionId: first!.sessionId, channelId: channel.id, direction: 'out', sender: 'agent',
      text, deliveryStatus: 'queued', sendingAt: new Date(), attempts: 1, jobEnqueuedAt: new Date(),
    })
    .returning();
  return row!;
}

const retry = (row: { id: string; orgId: string; sessionId: string }) =>
  enqueueMessageJobs(p.t.deps.queues, [{ queue: 'dispatch', orgId: row.orgId, sessionId: row.sessionId, messageId: row.id, channel: 'sms' }]);
const sentWith = (text: string) => peer.sent.filter((s) => s.body === text);
const stored = async (id: string) => (await p.t.database.db.select().from(messages).where(eq(messages.id, id)))[0]!;

/** What the dead process did just before it died: the provider call. */
async function sendAsTheDeadProcess(row: { id: string; sessionId: string }, text: string) {
  const [channelRow] = await p.t.database.db.select().from(channels).where(eq(channels.id, channel.id));
  const adapter = buildAdapter(p.t.deps, channelRow!)!;
  const msg = { sessionId: row.sessionId, messageId: row.id, to: { address: CUSTOMER }, text, attachments: [] };
  return adapter.send(msg, AbortSignal.timeout(5000));
}

it('a reply the provider took before the crash is found at the provider, not sent again', async () => {
  const text = 'Your parcel left our warehouse today.';
  const row = await orphanedReply(text);
  const receipt = await sendAsTheDeadProcess(row, text);
  await retry(row);
  await expect.poll(async () => (await stored(row.id)).deliveryStatus, { timeout: 20_000 }).toBe('delivered');
  expect((await stored(row.id)).externalId).toBe(receipt.externalId);
  await new Promise((r) => setTimeout(r, 500));
  expect(sentWith(text)).toHaveLength(1);
}, 40_000);

it('a reply the provider never got is sent once, even with the same text sent to the customer before', async () => {
  const text = 'We have refunded your order.';
  // The same words went to this customer a while ago (another reply): not the one in doubt.
  const earlier = await orphanedReply(text);
  await sendAsTheDeadProcess(earlier, text);
  await new Promise((r) => setTimeout(r, 3000));
  const row = await orphanedReply(text);
  await retry(row);
  await expect.poll(() => sentWith(text).length, { timeout: 30_000 }).toBe(2);
  await expect.poll(async () => (await stored(row.id)).deliveryStatus, { timeout: 10_000 }).not.toBe('queued');
  expect((await stored(row.id)).attempts).toBe(2);
  await new Promise((r) => setTimeout(r, 500));
  expect(sentWith(text)).toHaveLength(2);
}, 45_000);
