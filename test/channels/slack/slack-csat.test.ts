import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSlackPeer, type SlackPeer } from '../../../channels/slack/peer/slack-peer.ts';
import { startProviderApp, type ProviderApp } from '../../helpers/provider-app.ts';

// CSAT on Slack (capabilities.csat 'buttons'): resolving a DM's session posts the question with five Block Kit
// buttons; a click reaches the interactions webhook signed like any Slack request and is the rating (the question
// is replaced by a thank-you through the click's response_url); a forged
// click (bad signature) is refused; a reply with a digit is taken too.

let p: ProviderApp;
let peer: SlackPeer;
let channel: Awaited<ReturnType<ProviderApp['createChannel']>>;
const CUSTOMER = 'U02RATES';

beforeAll(async () => {
  p = await startProviderApp({ TURN_BURST_MS: '50' });
  peer = await startSlackPeer();
  peer.addUser(CUSTOMER, { realName: 'Ada Lovelace', email: 'ada@example.com' });
  channel = await p.createChannel({
    type: 'slack',
    name: 'Slack',
    config: { bot_token: peer.botToken, signing_secret: peer.signingSecret, api_base_url: `${peer.url}/api` },
  });
  expect((await p.t.json('PATCH', `/channels/${channel.id}`, { csat_enabled: true })).body.csat).toBe('buttons');
});
afterAll(async () => {
  await peer?.close();
  await p?.close();
});

const score = async (sessionId: string) => (await p.t.json('GET', `/csat/scores/session/${sessionId}`)).body.score;

it('asks with five buttons once resolved; a click rates, a forged one is refused, a digit reply re-rates', async () => {
  expect(channel.webhook_urls.interactions).toBe(`${p.publicUrl}/webhooks/${channel.id}/interactions`);
  const dm = await peer.dm(channel.webhook_urls.events!, { user: CUSTOMER, text: 'How long do I have to get a refund?' });
  expect(dm.status).toBe(200);
  await peer.waitForPosted(1, 15_000);
  const [msg] = (await p.messagesOf(channel.id)).filter((m) => m.direction === 'in');
  const sessionId = msg!.sessionId;
  expect((await p.t.json('PATCH', `/chat/sessions/${sessionId}`, { status: 'closed_resolved' })).status).toBe(200);
  const [question] = await peer.waitForPosted(2, 15_000).then((all) => all.slice(1));
  expect(question!.text).toMatch(/Tap a number, or reply with one from 1 \(poor\) to 5 \(excellent\)/);
  const buttons = (question!.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).find((b) => b.type === 'actions')!.elements!;
  expect(buttons.map((b) => b.action_id)).toEqual(['csat_1', 'csat_2', 'csat_3', 'csat_4', 'csat_5']);

  const click = await peer.clickButton(channel.webhook_urls.interactions!, CUSTOMER, question!, 'csat_4');
  expect(click.status).toBe(200);
  await expect.poll(() => score(sessionId), { timeout: 10_000 }).toBe(4);
  // The question is replaced through the click's response_url, so the customer sees it was taken.
  await expect.poll(() => peer.responses.map((r) => r.body), { timeout: 10_000 }).toEqual([{ replace_original: true, text: 'Thanks for your rating: 4 of 5.' }]);

  const forged = await fetch(channel.webhook_urls.interactions!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)) },
    body: new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', actions: [{ action_id: 'csat_1', value: `${buttons[0]!.value}` }] }) }).toString(),
  });
  expect(forged.status).toBe(401);
  expect(await score(sessionId)).toBe(4);

  // The question's text also asks for a digit: a reply in the DM is taken as the answer, and does not reopen.
  expect((await peer.dm(channel.webhook_urls.events!, { user: CUSTOMER, text: '2' })).status).toBe(200);
  await expect.poll(() => score(sessionId), { timeout: 10_000 }).toBe(2);
  expect((await p.t.json('GET', `/chat/sessions/${sessionId}`)).body.status).toBe('closed_resolved');
});
