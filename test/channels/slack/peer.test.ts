import type { AddressInfo } from 'node:net';
import { App, verifySlackRequest, webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SlackPeer, slackSignature, startSlackPeer } from '../../../channels/slack/peer/slack-peer.ts';
import { type ReceivedRequest, startWebhookReceiver, type WebhookReceiver } from '../../peers/webhook-receiver.ts';

// The Slack peer's own wire format, driven by the real @slack/web-api WebClient (as Bolt uses it) and checked on
// the receiving side with Bolt's own signature verification: Web API conventions, files, OAuth v2, rate limits,
// signed event_callbacks and retries, and the sandbox control API.

let peer: SlackPeer;
let hooks: WebhookReceiver;

beforeAll(async () => {
  peer = await startSlackPeer({ signingSecret: 'test-signing-secret' });
  hooks = await startWebhookReceiver();
});
afterAll(async () => {
  await peer.close();
  await hooks.close();
});
beforeEach(() => {
  peer.posted.length = 0;
  peer.uploads.length = 0;
  peer.calls.length = 0;
  hooks.requests.length = 0;
});

const client = (token?: string, extra: Record<string, unknown> = {}) =>
  new webApi.WebClient(token, { slackApiUrl: peer.apiUrl, retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR, ...extra });

async function platformError(call: Promise<unknown>): Promise<string> {
  const err = (await call.then(() => undefined, (e: unknown) => e)) as { code?: string; data?: { error?: string } } | undefined;
  expect(err?.code).toBe(webApi.ErrorCode.PlatformError);
  return err?.data?.error ?? '';
}

/** Bolt's check of the receiving side; throws on a bad signature or a stale timestamp. */
function boltVerify(req: ReceivedRequest, signingSecret = peer.signingSecret): void {
  verifySlackRequest({
    signingSecret,
    body: req.body,
    headers: {
      'x-slack-signature': req.headers['x-slack-signature'] ?? '',
      'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
    },
  });
}

type Json = Record<string, any>;
const lastHook = (): { req: ReceivedRequest; json: Json } => {
  const req = hooks.requests.at(-1);
  if (!req) throw new Error('no webhook received');
  return { req, json: JSON.parse(req.body) as Json };
};

describe('Web API basics', () => {
  it('auth.test answers for the bot token, and API errors are HTTP 200 {ok:false}', async () => {
    const me = await client(peer.botToken).auth.test();
    expect(me).toMatchObject({ ok: true, team_id: peer.teamId, user_id: peer.botUserId, bot_id: peer.botId, is_enterprise_install: false });
    expect(peer.apiUrl).toBe(`${peer.url}/api/`);
    expect(me.response_metadata?.scopes).toEqual(expect.arrayContaining(['chat:write', 'files:read', 'users:read.email']));
    expect(await platformError(client('xoxb-not-a-real-token').auth.test())).toBe('invalid_auth');
    expect(peer.calls.map((c) => [c.method, c.token])).toEqual([['auth.test', peer.botToken], ['auth.test', 'xoxb-not-a-real-token']]);

    const raw = await fetch(`${peer.apiUrl}auth.test`, { method: 'POST', headers: { Authorization: 'Bearer nope' } });
    expect(raw.status).toBe(200);
    expect(await raw.json()).toEqual({ ok: false, error: 'invalid_auth' });
    const viaParam = await fetch(`${peer.apiUrl}auth.test?token=${peer.botToken}`);
    expect(await viaParam.json()).toMatchObject({ ok: true, user_id: peer.botUserId });
  });

  it('unknown methods answer unknown_method', async () => {
    expect(await platformError(client(peer.botToken).apiCall('chat.teleport', {}))).toBe('unknown_method');
  });
});

describe('chat.postMessage', () => {
  it('posts with increasing unique ts and records form and JSON posts alike', async () => {
    const web = client(peer.botToken);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }];
    const a = await web.chat.postMessage({ channel: 'D0CUST', text: 'hello', blocks });
    const b = await web.chat.postMessage({ channel: 'C0SUP', text: 'in thread', thread_ts: '1732400000.123456' });
    const json = await fetch(`${peer.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${peer.botToken}`, 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C0SUP', text: 'json', unfurl_links: false }),
    }).then((r) => r.json() as Promise<Json>);

    expect(a).toMatchObject({ ok: true, channel: 'D0CUST', message: { type: 'message', text: 'hello', user: peer.botUserId, bot_id: peer.botId } });
    expect(b.message?.thread_ts).toBe('1732400000.123456');
    const stamps = [a.ts, b.ts, json.ts as string];
    for (const ts of stamps) expect(ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(new Set(stamps).size).toBe(3);
    expect(Number(stamps[0]) < Number(stamps[1]) && Number(stamps[1]) < Number(stamps[2])).toBe(true);

    const posted = await peer.waitForPosted(3);
    expect(posted.map((p) => [p.channel, p.text, p.thread_ts, p.ts])).toEqual([
      ['D0CUST', 'hello', undefined, a.ts],
      ['C0SUP', 'in thread', '1732400000.123456', b.ts],
      ['C0SUP', 'json', undefined, json.ts],
    ]);
    expect(posted[0]?.blocks).toEqual(blocks);
    expect(posted[0]?.token).toBe(peer.botToken);
  });

  it('ts stays unique and increasing under a burst of concurrent posts', async () => {
    const web = client(peer.botToken);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => web.chat.postMessage({ channel: 'C1', text: `n${i}` })));
    expect(new Set(answers.map((a) => a.ts)).size).toBe(30);
    const inOrder = peer.posted.map((p) => Number(p.ts));
    expect(inOrder).toEqual([...inOrder].sort((x, y) => x - y));
  });

  it('rejects what Slack rejects, without recording', async () => {
    const web = client(peer.botToken);
    expect(await platformError(web.chat.postMessage({ channel: '', text: 'x' }))).toBe('channel_not_found');
    expect(await platformError(web.chat.postMessage({ channel: 'C1', text: '' }))).toBe('no_text');
    expect(await platformError(web.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
    await web.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_000) });
    expect(peer.posted).toHaveLength(1);
  });

  it('429 + Retry-After for rate-limited calls, then normal service', async () => {
    peer.rateLimitNext(2, 7);
    const err = await client(peer.botToken, { rejectRateLimitedCalls: true })
      .chat.postMessage({ channel: 'C1', text: 'x' })
      .catch((e: unknown) => e as { code?: string; retryAfter?: number });
    expect(err).toMatchObject({ code: webApi.ErrorCode.RateLimitedError, retryAfter: 7 });

    const raw = await fetch(`${peer.apiUrl}chat.postMessage`, {
      method: 'POST', headers: { Authorization: `Bearer ${peer.botToken}` }, body: new URLSearchParams({ channel: 'C1', text: 'x' }),
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('7');
    expect(await raw.json()).toEqual({ ok: false, error: 'ratelimited' });

    await client(peer.botToken).chat.postMessage({ channel: 'C1', text: 'through' });
    expect(peer.posted.map((p) => p.text)).toEqual(['through']);
  });

  it('failNext injects platform errors for one method only', async () => {
    peer.failNext('chat.postMessage', 2, 'not_in_channel');
    const web = client(peer.botToken);
    expect((await web.auth.test()).ok).toBe(true);
    expect(await platformError(web.chat.postMessage({ channel: 'C1', text: 'a' }))).toBe('not_in_channel');
    expect(await platformError(web.chat.postMessage({ channel: 'C1', text: 'b' }))).toBe('not_in_channel');
    expect((await web.chat.postMessage({ channel: 'C1', text: 'c' })).ok).toBe(true);
    expect(peer.posted.map((p) => p.text)).toEqual(['c']);
  });
});

describe('users and files', () => {
  it('users.info returns registered profiles and user_not_found otherwise', async () => {
    peer.addUser('U02CUST', { realName: 'Ada Lovelace', displayName: 'ada', email: 'ada@example.com' });
    const web = client(peer.botToken);
    const { user } = await web.users.info({ user: 'U02CUST' });
    expect(user).toMatchObject({ id: 'U02CUST', team_id: peer.teamId, real_name: 'Ada Lovelace', is_bot: false });
    expect(user?.profile).toMatchObject({ real_name: 'Ada Lovelace', display_name: 'ada', email: 'ada@example.com' });
    expect(await platformError(web.users.info({ user: 'U0NOBODY' }))).toBe('user_not_found');
    expect(peer.calls.filter((c) => c.method === 'users.info')).toHaveLength(2);
  });

  it('private file URLs need a valid token; without one Slack serves its HTML login page', async () => {
    const file = peer.addFile(Buffer.from('%PDF-1.4 fake'), 'application/pdf', 'invoice.pdf');
    expect(file.url_private).toBe(`${peer.url}/files-pri/${peer.teamId}-${file.id}/invoice.pdf`);
    expect(file.url_private_download).toBe(`${peer.url}/files-pri/${peer.teamId}-${file.id}/download/invoice.pdf`);
    expect(file).toMatchObject({ name: 'invoice.pdf', mimetype: 'application/pdf', size: 13 });

    const ok = await fetch(file.url_private_download, { headers: { Authorization: `Bearer ${peer.botToken}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await ok.arrayBuffer()).toString()).toBe('%PDF-1.4 fake');

    for (const headers of [{}, { Authorization: 'Bearer xoxb-wrong' }] as Array<Record<string, string>>) {
      const login = await fetch(file.url_private, { headers });
      expect(login.status).toBe(200);
      expect(login.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await login.text()).not.toContain('%PDF');
    }
  });

  it('filesUploadV2 end to end: upload, share into a thread, download', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    const res = (await client(peer.botToken).filesUploadV2({
      channel_id: 'C0SUP', thread_ts: '1732400000.123456', file: bytes, filename: 'shot.png', title: 'Screenshot', initial_comment: 'see',
    })) as unknown as { ok: boolean; files: Array<{ files: Json[] }> };
    expect(res.ok).toBe(true);
    const uploaded = res.files[0]?.files[0];
    expect(uploaded).toMatchObject({ name: 'shot.png', title: 'Screenshot', mimetype: 'image/png', size: 8 });

    expect(peer.uploads).toHaveLength(1);
    expect(peer.uploads[0]).toMatchObject({ file_id: uploaded?.id, filename: 'shot.png', title: 'Screenshot', channel_id: 'C0SUP', thread_ts: '1732400000.123456' });
    expect(peer.uploads[0]?.bytes.equals(bytes)).toBe(true);
    expect(peer.calls.map((c) => c.method)).toEqual(['files.getUploadURLExternal', 'files.completeUploadExternal']);

    const back = await fetch(String(uploaded?.url_private), { headers: { Authorization: `Bearer ${peer.botToken}` } });
    expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('the upload URL takes raw bytes too, and completing an unfilled slot fails', async () => {
    const web = client(peer.botToken);
    const slot = await web.files.getUploadURLExternal({ filename: 'notes.txt', length: 5 });
    const empty = await web.files.getUploadURLExternal({ filename: 'never.txt', length: 1 });
    const up = await fetch(String(slot.upload_url), { method: 'POST', body: 'notes' });
    expect([up.status, await up.text()]).toEqual([200, 'OK - 5']);
    expect(await platformError(web.files.completeUploadExternal({ files: [{ id: String(empty.file_id) }] }))).toBe('file_not_found');
    const done = await web.files.completeUploadExternal({ files: [{ id: String(slot.file_id), title: 'Notes' }], channel_id: 'D0CUST' });
    expect(done.files?.[0]).toMatchObject({ id: slot.file_id, title: 'Notes', mimetype: 'text/plain', size: 5 });
    expect(peer.uploads[0]?.bytes.toString()).toBe('notes');
  });
});

describe('OAuth v2', () => {
  async function authorizeCode(redirectUri: string, state = 'st4te'): Promise<string> {
    const url = new URL(peer.authorizeUrl);
    url.search = new URLSearchParams({ client_id: peer.clientId, scope: 'chat:write,im:history', redirect_uri: redirectUri, state }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    expect(location.searchParams.get('state')).toBe(state);
    return location.searchParams.get('code') ?? '';
  }

  it('authorize redirect → single-use code → a new bot token that works', async () => {
    const redirectUri = 'https://switchboard.example/oauth/slack/callback';
    expect(peer.clientId).toMatch(/^\d{10}\.\d{10}$/);
    const code = await authorizeCode(redirectUri);
    const web = client();
    const args = { client_id: peer.clientId, client_secret: peer.clientSecret, code, redirect_uri: redirectUri };
    const install = await web.oauth.v2.access(args);
    expect(install).toMatchObject({
      ok: true, token_type: 'bot', scope: 'chat:write,im:history', bot_user_id: peer.botUserId, app_id: peer.appId,
      team: { id: peer.teamId, name: peer.teamName }, enterprise: null, is_enterprise_install: false,
    });
    expect(install.access_token).toMatch(/^xoxb-/);
    expect(install.access_token).not.toBe(peer.botToken);
    expect(peer.installs.at(-1)).toMatchObject({ access_token: install.access_token, redirect_uri: redirectUri });

    const asInstalled = await client(install.access_token).auth.test();
    expect(asInstalled.user_id).toBe(peer.botUserId);
    expect(asInstalled.response_metadata?.scopes).toEqual(['chat:write', 'im:history']);
    expect(await platformError(web.oauth.v2.access(args))).toBe('invalid_code');
  });

  it('checks the client, the code and its redirect_uri; accepts HTTP Basic client auth', async () => {
    const redirectUri = 'https://switchboard.example/cb';
    const code = await authorizeCode(redirectUri);
    const web = client();
    const base = { client_id: peer.clientId, client_secret: peer.clientSecret, code, redirect_uri: redirectUri };
    expect(await platformError(web.oauth.v2.access({ ...base, client_id: '1.2' }))).toBe('invalid_client_id');
    expect(await platformError(web.oauth.v2.access({ ...base, client_secret: 'wrong' }))).toBe('bad_client_secret');
    expect(await platformError(web.oauth.v2.access({ ...base, code: 'made-up' }))).toBe('invalid_code');
    expect(await platformError(web.oauth.v2.access({ ...base, redirect_uri: 'https://evil.example/cb' }))).toBe('bad_redirect_uri');

    const basic = Buffer.from(`${peer.clientId}:${peer.clientSecret}`).toString('base64');
    const res = await fetch(`${peer.apiUrl}oauth.v2.access`, {
      method: 'POST', headers: { Authorization: `Basic ${basic}` }, body: new URLSearchParams({ code, redirect_uri: redirectUri }),
    });
    expect(await res.json()).toMatchObject({ ok: true, token_type: 'bot' });
  });

  it('an unknown client_id gets an HTML error page, not a redirect', async () => {
    const res = await fetch(`${peer.authorizeUrl}?client_id=999.999&redirect_uri=https://x.example/cb`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('Events API out', () => {
  it('sendEvent posts a signed event_callback that Bolt verifies', async () => {
    const event = { type: 'message', channel: 'D0X', user: 'U02CUST', text: 'hi', ts: '1732400000.000100' };
    const result = await peer.sendEvent(hooks.url, event);
    expect(result.status).toBe(200);
    expect(result.body).toBe('ok');
    expect(result.eventId).toMatch(/^Ev[A-Z0-9]+$/);
    const { req, json } = lastHook();
    expect(req.headers['content-type']).toBe('application/json');
    expect(() => boltVerify(req)).not.toThrow();
    expect(() => boltVerify(req, 'another-secret')).toThrow();
    expect(req.headers['x-slack-signature']).toBe(slackSignature(peer.signingSecret, req.headers['x-slack-request-timestamp'] ?? '', req.body));
    expect(json).toMatchObject({
      token: 'legacy-verification-token', team_id: peer.teamId, api_app_id: peer.appId, type: 'event_callback', event,
      event_id: result.eventId, is_ext_shared_channel: false,
      authorizations: [{ enterprise_id: null, team_id: peer.teamId, user_id: peer.botUserId, is_bot: true, is_enterprise_install: false }],
    });
    expect(Math.abs(json.event_time - Date.now() / 1000)).toBeLessThan(5);
    expect(typeof json.event_context).toBe('string');
    expect(req.headers['x-slack-retry-num']).toBeUndefined();
  });

  it('a retry repeats the body byte for byte with retry headers; signature can be omitted or forged', async () => {
    const event = { type: 'message', channel: 'D0X', user: 'U02CUST', text: 'again', ts: '1732400000.000200' };
    const first = await peer.sendEvent(hooks.url, event);
    const old = Math.floor(Date.now() / 1000) - 600;
    await peer.sendEvent(hooks.url, event, { eventId: first.eventId, retryNum: 1, retryReason: 'http_timeout', timestamp: old });
    await peer.sendEvent(hooks.url, event, { signature: null });
    await peer.sendEvent(hooks.url, event, { signature: 'v0=deadbeef', teamId: 'T0OTHER' });
    const [a, b, c, d] = hooks.requests;
    expect(b?.body).toBe(a?.body);
    expect(b?.headers['x-slack-retry-num']).toBe('1');
    expect(b?.headers['x-slack-retry-reason']).toBe('http_timeout');
    expect(b?.headers['x-slack-request-timestamp']).toBe(String(old));
    expect(() => boltVerify(b as ReceivedRequest)).toThrow(/stale|older|timestamp/i);
    expect(c?.headers['x-slack-signature']).toBeUndefined();
    expect(c?.headers['x-slack-request-timestamp']).toMatch(/^\d+$/);
    expect(JSON.parse(c?.body ?? '{}').event_id).not.toBe(first.eventId);
    expect(d?.headers['x-slack-signature']).toBe('v0=deadbeef');
    expect(JSON.parse(d?.body ?? '{}').team_id).toBe('T0OTHER');
  });

  it('dm, mention and channelMessage build the events Slack sends', async () => {
    const dm = await peer.dm(hooks.url, { user: 'U02CUST', text: 'Hi' });
    const dmEvent = lastHook().json.event;
    expect(dmEvent).toMatchObject({ type: 'message', channel_type: 'im', user: 'U02CUST', text: 'Hi', ts: dm.ts, event_ts: dm.ts, team: peer.teamId });
    expect(dmEvent.channel).toMatch(/^D[A-Z0-9]+$/);
    expect(dmEvent.client_msg_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(dmEvent.subtype).toBeUndefined();
    await peer.dm(hooks.url, { user: 'U02CUST', text: 'same person' });
    expect(lastHook().json.event.channel).toBe(dmEvent.channel);
    await peer.dm(hooks.url, { user: 'U03OTHER', text: 'other person' });
    expect(lastHook().json.event.channel).not.toBe(dmEvent.channel);

    const file = peer.addFile(Buffer.from('img'), 'image/jpeg', 'photo.jpg');
    await peer.dm(hooks.url, { user: 'U02CUST', text: '', files: [file], thread_ts: dm.ts });
    expect(lastHook().json.event).toMatchObject({ subtype: 'file_share', thread_ts: dm.ts, files: [{ id: file.id, url_private_download: file.url_private_download }] });

    const mention = await peer.mention(hooks.url, { user: 'U02CUST', channel: 'C04SUPPORT', text: 'still waiting', thread_ts: '1732400000.123456' });
    expect(lastHook().json.event).toEqual(expect.objectContaining({
      type: 'app_mention', text: `<@${peer.botUserId}> still waiting`, channel: 'C04SUPPORT', ts: mention.ts, thread_ts: '1732400000.123456',
    }));
    expect(Number(mention.ts)).toBeGreaterThan(Number(dm.ts));

    await peer.channelMessage(hooks.url, { user: 'U0OTHERBOT', channel: 'C04SUPPORT', text: 'beep', subtype: 'bot_message', bot_id: 'B0OTHER' });
    expect(lastHook().json.event).toMatchObject({ type: 'message', channel_type: 'channel', subtype: 'bot_message', bot_id: 'B0OTHER' });
    for (const req of hooks.requests) expect(() => boltVerify(req)).not.toThrow();
  });

  it('a shorthand called again with the same ts and event_id is a byte-identical retry', async () => {
    const first = await peer.mention(hooks.url, { user: 'U02CUST', channel: 'C1', text: 'dup?' });
    await peer.mention(hooks.url, { user: 'U02CUST', channel: 'C1', text: 'dup?', ts: first.ts }, { eventId: first.eventId, retryNum: 1 });
    expect(hooks.requests[1]?.body).toBe(hooks.requests[0]?.body);
  });

  it('urlVerification is signed and carries the challenge', async () => {
    await peer.urlVerification(hooks.url, 'chal-123');
    const { req, json } = lastHook();
    expect(json).toEqual({ token: 'legacy-verification-token', challenge: 'chal-123', type: 'url_verification' });
    expect(() => boltVerify(req)).not.toThrow();
  });
});

describe('with a real Bolt app', () => {
  it('Bolt verifies the events, and its say() replies land in posted', async () => {
    const app = new App({ token: peer.botToken, signingSecret: peer.signingSecret, clientOptions: { slackApiUrl: peer.apiUrl }, logLevel: webApi.LogLevel.ERROR });
    app.message(async ({ message, say }) => {
      if (message.subtype === undefined) await say({ text: `echo: ${message.text}`, thread_ts: message.ts });
    });
    app.event('app_mention', async ({ event, say }) => {
      await say({ text: `heard: ${event.text}`, thread_ts: event.thread_ts ?? event.ts });
    });
    const server = (await app.start(0)) as { address(): AddressInfo };
    try {
      const eventsUrl = `http://127.0.0.1:${server.address().port}/slack/events`;
      const dm = await peer.dm(eventsUrl, { user: 'U02CUST', text: 'hello' });
      const mention = await peer.mention(eventsUrl, { user: 'U02CUST', channel: 'C04SUPPORT', text: 'help' });
      const forged = await peer.dm(eventsUrl, { user: 'U02CUST', text: 'forged' }, { signature: 'v0=00' });
      expect([dm.status, mention.status, forged.status]).toEqual([200, 200, 401]);
      const posted = await peer.waitForPosted(2);
      expect(posted.map((p) => [p.text, p.thread_ts]).sort()).toEqual([
        ['echo: hello', dm.ts],
        [`heard: <@${peer.botUserId}> help`, mention.ts],
      ]);
      expect(peer.calls[0]?.method).toBe('auth.test');
    } finally {
      await app.stop();
    }
  });
});

describe('sandbox control API', () => {
  it('POST /_sandbox/slack sends a DM event; GET /_sandbox/posted lists what the bot posted', async () => {
    const res = await fetch(`${peer.url}/_sandbox/slack`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ events_url: hooks.url, user: 'U02CUST', text: 'from curl' }),
    });
    const answer = (await res.json()) as Json;
    expect(res.status).toBe(200);
    expect(answer).toMatchObject({ status: 200, body: 'ok', event_id: lastHook().json.event_id, ts: lastHook().json.event.ts });
    expect(lastHook().json.event).toMatchObject({ type: 'message', channel_type: 'im', text: 'from curl' });

    await client(peer.botToken).chat.postMessage({ channel: 'D1', text: 'reply' });
    const posted = (await fetch(`${peer.url}/_sandbox/posted`).then((r) => r.json())) as Json[];
    expect(posted.map((p) => p.text)).toEqual(['reply']);

    const bad = await fetch(`${peer.url}/_sandbox/slack`, { method: 'POST', body: '{"user":"U1"}' });
    expect(bad.status).toBe(400);
  });
});
