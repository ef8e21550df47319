import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { csatSurveys } from '../../../src/db/schema/index.ts';
import { startTwilioPeer, type TwilioPeer } from '../../../channels/shared/twilio/peer/twilio-peer.ts';
import { startProviderApp, type ProviderApp } from '../../helpers/provider-app.ts';

// CSAT on SMS end to end (capabilities.csat 'digits'): resolving the session makes the close worker text "reply
// 1–5" through the Twilio peer; the customer's "4 - quick" is the answer (stored, no AI turn, the session stays
// resolved); a later "5" replaces it; a reply that is not a rating reopens the conversation as before.

let p: ProviderApp;
let peer: TwilioPeer;
let channel: Awaited<ReturnType<ProviderApp['createChannel']>>;
const SHOP = '+14155550100';

beforeAll(async () => {
  p = await startProviderApp({ TURN_BURST_MS: '50' });
  peer = await startTwilioPeer();
  channel = await p.createChannel({
    type: 'sms',
    name: 'Support SMS',
    config: { account_sid: peer.accountSid, auth_token: peer.authToken, from: SHOP, api_base_url: peer.url },
  });
  expect((await p.t.json('PATCH', `/channels/${channel.id}`, { csat_enabled: true })).body).toMatchObject({ csat_enabled: true, csat: 'digits' });
});
afterAll(async () => {
  await peer?.close();
  await p?.close();
});

const text = (from: string, body: string) => peer.sendInbound(channel.webhook_urls.inbound!, { from, to: SHOP, body });
const sentTo = (to: string) => peer.sent.filter((s) => s.to === to).map((s) => s.body);
/** The sender's session, as the API lists it. */
const sessionOf = async (from: string): Promise<{ id: string }> => {
  const { items } = (await p.t.json('GET', '/chat/sessions?channel_type=sms&status=open&limit=100')).body;
  return items.find((s: { contact: { identities: { address: string }[] } }) => s.contact.identities.some((i) => i.address === from));
};

it('asks by text once resolved, takes "4 - quick" as the answer without reopening, and a later "5" replaces it', async () => {
  const from = '+14155550161';
  expect((await text(from, 'How long do I have to get a refund?')).status).toBe(200);
  await expect.poll(() => sentTo(from).length, { timeout: 15_000 }).toBe(1);
  const session = await sessionOf(from);
  expect((await p.t.json('PATCH', `/chat/sessions/${session.id}`, { status: 'closed_resolved' })).status).toBe(200);
  await expect.poll(() => sentTo(from).at(-1) ?? '', { timeout: 15_000 }).toMatch(/Reply with a number from 1 \(poor\) to 5 \(excellent\)/);
  const asked = sentTo(from).length;

  expect((await text(from, '4 - quick and kind')).status).toBe(200);
  await expect.poll(async () => (await p.t.json('GET', `/csat/scores/session/${session.id}`)).body.score, { timeout: 10_000 }).toBe(4);
  expect((await p.t.json('GET', `/csat/scores/session/${session.id}`)).body.comment).toBe('quick and kind');
  expect((await p.t.json('GET', `/chat/sessions/${session.id}`)).body.status).toBe('closed_resolved');

  expect((await text(from, '5')).status).toBe(200);
  await expect.poll(async () => (await p.t.json('GET', `/csat/scores/session/${session.id}`)).body.score, { timeout: 10_000 }).toBe(5);
  // Nothing answered the ratings (no AI turn), and only one survey exists.
  await new Promise((r) => setTimeout(r, 500));
  expect(sentTo(from).length).toBe(asked);
  expect(await p.t.deps.db.select().from(csatSurveys).where(eq(csatSurveys.sessionId, session.id))).toHaveLength(1);

  // Not a rating: the customer is writing again, so the conversation reopens and the AI answers.
  expect((await text(from, 'Actually, can I also change my address?')).status).toBe(200);
  await expect.poll(async () => (await p.t.json('GET', `/chat/sessions/${session.id}`)).body.status, { timeout: 10_000 }).toBe('open');
});
