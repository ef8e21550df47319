import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slackConfigSchema } from '../../../channels/slack/config.ts';
import { slackAdapter } from '../../../channels/slack/index.ts';
import type { ChannelAdapter, ParseOutcome, RawWebhook } from '../../../src/domain/model/adapter.ts';
import { type SlackPeer, startSlackPeer } from '../../../channels/slack/peer/slack-peer.ts';
import { noAttachments } from '../../helpers/adapter-deps.ts';

// "Add to Slack": our install link → the peer's authorize page (which clicks Allow and redirects with a code) →
// our callback, which exchanges the code at the peer's oauth.v2.access and hands core a configPatch. The browser's
// redirects are followed by hand, so every hop is visible.

const REDIRECT_URI = 'https://switchboard.example/webhooks/chan-oauth/oauth/callback';

let peer: SlackPeer;
let clock: () => Date = () => new Date();

function makeAdapter(extra: Record<string, unknown> = {}, channelId = 'chan-oauth', p = peer): { adapter: ChannelAdapter; config: Record<string, unknown> } {
  const config = slackConfigSchema.parse({
    signing_secret: p.signingSecret,
    client_id: p.clientId,
    client_secret: p.clientSecret,
    api_base_url: `${p.url}/api`,
    authorize_url: p.authorizeUrl,
    ...extra,
  });
  const deps = { fetch, now: () => clock(), publicUrl: 'https://switchboard.example', realtime: { toContact: async () => 0 }, loadAttachment: noAttachments };
  const adapter = slackAdapter.create(config, deps, { id: channelId, webhookUrls: { oauth_redirect: REDIRECT_URI, events: 'x', install: 'y' } });
  return { adapter, config };
}

const get = (subPath: string, url: string): RawWebhook => ({ method: 'GET', url, subPath, headers: new Headers(), body: '', receivedAt: new Date() });

async function installLink(adapter: ChannelAdapter): Promise<URL> {
  const outcome = await adapter.parse(get('oauth/install', 'https://switchboard.example/webhooks/chan-oauth/oauth/install'));
  expect(outcome.type).toBe('handshake');
  const ack = (outcome as { ack: Response }).ack;
  expect(ack.status).toBe(302);
  return new URL(ack.headers.get('location') ?? '');
}

/** The browser at Slack's authorize page: answers where Slack sends it back. */
async function clickAllow(link: URL): Promise<string> {
  const res = await fetch(link, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return res.headers.get('location') ?? '';
}

const callback = (adapter: ChannelAdapter, url: string) => adapter.parse(get('oauth/callback', url));

async function page(outcome: ParseOutcome): Promise<{ status: number; html: string; type: string | null }> {
  const ack = (outcome as { ack: Response }).ack;
  return { status: ack.status, html: await ack.text(), type: ack.headers.get('content-type') };
}

beforeAll(async () => {
  peer = await startSlackPeer({ teamName: 'Acme <Support> & Co' });
});
afterAll(() => peer.close());
beforeEach(() => {
  clock = () => new Date();
});

describe('install link', () => {
  it('redirects to the authorize URL with client_id, scopes, redirect_uri and a state', async () => {
    const link = await installLink(makeAdapter().adapter);
    expect(`${link.origin}${link.pathname}`).toBe(peer.authorizeUrl);
    expect(link.searchParams.get('client_id')).toBe(peer.clientId);
    expect(link.searchParams.get('scope')).toBe('app_mentions:read,chat:write,im:history,channels:history,groups:history,mpim:history,users:read,users:read.email,files:read,files:write');
    expect(link.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(link.searchParams.get('state')).toMatch(/^[0-9a-z]+\.[0-9a-f]{64}$/);
  });

  it('uses the configured scopes', async () => {
    const link = await installLink(makeAdapter({ scopes: ['chat:write', 'im:history'] }).adapter);
    expect(link.searchParams.get('scope')).toBe('chat:write,im:history');
  });

  it('answers 404 HTML when the channel has no OAuth client', async () => {
    const { adapter } = makeAdapter({ client_id: undefined, client_secret: undefined, bot_token: peer.botToken });
    const outcome = await adapter.parse(get('oauth/install', 'https://switchboard.example/x'));
    expect(outcome.type).toBe('ignored');
    const p = await page(outcome);
    expect(p.status).toBe(404);
    expect(p.type).toMatch(/text\/html/);
    expect(p.html).toMatch(/OAuth client id and secret/);
  });
});

describe('callback', () => {
  it('exchanges the code at oauth.v2.access and returns the installation as a configPatch', async () => {
    const { adapter } = makeAdapter();
    const back = await clickAllow(await installLink(adapter));
    expect(back.startsWith(`${REDIRECT_URI}?`)).toBe(true);
    const outcome = await callback(adapter, back);
    expect(outcome.type).toBe('install');
    const install = peer.installs.at(-1)!;
    expect(install.redirect_uri).toBe(REDIRECT_URI);
    expect((outcome as { configPatch: unknown }).configPatch).toEqual({
      installations: { [peer.teamId]: { bot_token: install.access_token, bot_user_id: peer.botUserId, team_name: 'Acme <Support> & Co' } },
    });
    const p = await page(outcome);
    expect(p.status).toBe(200);
    expect(p.type).toMatch(/text\/html/);
    expect(p.html).toContain('Switchboard is installed in Acme &lt;Support&gt; &amp; Co — you can close this tab');
    expect(p.html).not.toContain('<Support>');
  });

  it('keeps the other installations, and the patched config talks to Slack with the new token', async () => {
    const other = { bot_token: 'xoxb-other-team', bot_user_id: 'U0OTHERBOT' };
    const { adapter, config } = makeAdapter({ installations: { T0OTHER: other } });
    const outcome = await callback(adapter, await clickAllow(await installLink(adapter)));
    if (outcome.type !== 'install') throw new Error(`expected an install, got ${outcome.type}`);
    const patch = outcome.configPatch as { installations: Record<string, { bot_token: string }> };
    expect(patch.installations.T0OTHER).toEqual(other);
    const token = patch.installations[peer.teamId]!.bot_token;

    const patched = slackConfigSchema.parse({ ...config, ...patch });
    const deps = { fetch, now: () => new Date(), publicUrl: 'https://switchboard.example', realtime: { toContact: async () => 0 }, loadAttachment: noAttachments };
    const installed = slackAdapter.create(patched, deps, { id: 'chan-oauth', webhookUrls: {} });
    const receipt = await installed.send(
      { messageId: 'm1', sessionId: 's1', to: { address: `${peer.teamId}:U0CUST` }, text: 'installed!', attachments: [], externalThreadId: `${peer.teamId}:D0DM9` },
      AbortSignal.timeout(5000),
    );
    expect(receipt.status).toBe('delivered');
    expect(peer.posted.at(-1)).toMatchObject({ channel: 'D0DM9', text: 'installed!', token });
  });

  it('refuses a forged state, a state for another channel, and one without a state', async () => {
    const { adapter } = makeAdapter();
    const back = new URL(await clickAllow(await installLink(adapter)));
    const state = back.searchParams.get('state')!;
    const forged = new URL(back);
    forged.searchParams.set('state', `${state.split('.')[0]}.${'ab'.repeat(32)}`);
    const noState = new URL(back);
    noState.searchParams.delete('state');
    const elsewhere = makeAdapter({}, 'chan-other').adapter;
    for (const [a, url] of [[adapter, forged.href], [adapter, noState.href], [elsewhere, back.href]] as const) {
      const outcome = await callback(a, url);
      expect(outcome.type).toBe('ignored');
      expect((await page(outcome)).status).toBe(400);
    }
    // None of them reached Slack: the code is still good for the genuine callback.
    expect((await callback(adapter, back.href)).type).toBe('install');
  });

  it('refuses a state older than 10 minutes', async () => {
    const { adapter } = makeAdapter();
    const back = await clickAllow(await installLink(adapter));
    clock = () => new Date(Date.now() + 11 * 60 * 1000);
    const outcome = await callback(adapter, back);
    expect(outcome).toMatchObject({ type: 'ignored', reason: expect.stringMatching(/expired/) });
    expect((await page(outcome)).html).toMatch(/expired/);
  });

  it('shows Slack\'s error when the user cancels, without calling Slack', async () => {
    const { adapter } = makeAdapter();
    const before = peer.calls.length;
    const outcome = await callback(adapter, `${REDIRECT_URI}?error=access_denied&state=whatever`);
    const p = await page(outcome);
    expect(p.status).toBe(400);
    expect(p.html).toContain('access_denied');
    expect(peer.calls.length).toBe(before);
  });

  it('shows Slack\'s error when the exchange fails (a code used twice, a wrong secret)', async () => {
    const { adapter } = makeAdapter();
    const back = await clickAllow(await installLink(adapter));
    expect((await callback(adapter, back)).type).toBe('install');
    const again = await callback(adapter, back);
    expect(again).toMatchObject({ type: 'ignored', reason: 'oauth.v2.access: invalid_code' });
    expect((await page(again)).html).toContain('invalid_code');

    const wrong = makeAdapter({ client_secret: 'not-the-secret' }).adapter;
    const outcome = await callback(wrong, await clickAllow(await installLink(wrong)));
    expect(outcome).toMatchObject({ type: 'ignored', reason: 'oauth.v2.access: bad_client_secret' });
  });
});
