import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slackConfigSchema } from '../../../channels/slack/config.ts';
import { slackAdapter } from '../../../channels/slack/index.ts';
import type { ChannelAdapter, ParseOutcome, RawWebhook } from '../../../src/domain/model/adapter.ts';
import type { InboundMessage } from '../../../src/domain/model/messages.ts';
import { AppError } from '../../../src/errors.ts';
import { type SlackPeer, startSlackPeer } from '../../../channels/slack/peer/slack-peer.ts';
import { noAttachments } from '../../helpers/adapter-deps.ts';

// The Events API leg, driven by the Slack peer posting real signed event_callbacks over HTTP to a small ingress
// that does what core's webhook route does with the adapter: verify (an AppError becomes its status), parse,
// answer with the outcome's ack. Each outcome is recorded for the assertions.

let peer: SlackPeer;
let ingress: Server;
let eventsUrl: string;
let adapter: ChannelAdapter;
let outcomes: ParseOutcome[];
/** The adapter's clock (deps.now); tests move it to check the timestamp window. */
let clock: () => Date = () => new Date();

function makeAdapter(extra: Record<string, unknown> = {}): ChannelAdapter {
  const config = slackConfigSchema.parse({
    signing_secret: peer.signingSecret,
    bot_token: peer.botToken,
    api_base_url: `${peer.url}/api`,
    ...extra,
  });
  const deps = { fetch, now: () => clock(), publicUrl: 'http://127.0.0.1', realtime: { toContact: async () => 0 }, loadAttachment: noAttachments };
  return slackAdapter.create(config, deps, { id: 'chan-slack', webhookUrls: { events: eventsUrl } });
}

async function startIngress(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const raw: RawWebhook = {
        method: req.method ?? 'POST',
        url: `http://127.0.0.1${req.url}`,
        subPath: (req.url ?? '').replace(/^\/webhooks\/chan-slack\/?/, '').split('?')[0] ?? '',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: new Date(),
      };
      try {
        await adapter.verify(raw);
        const outcome = await adapter.parse(raw);
        outcomes.push(outcome);
        const ack = ('ack' in outcome && outcome.ack) || Response.json({ received: true });
        res.writeHead(ack.status, Object.fromEntries(ack.headers)).end(Buffer.from(await ack.arrayBuffer()));
      } catch (err) {
        const status = err instanceof AppError ? err.status : 500;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (err as Error).message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const messagesOf = (o: ParseOutcome | undefined): InboundMessage[] => (o?.type === 'messages' ? o.messages : []);
const only = (o: ParseOutcome | undefined): InboundMessage => {
  const list = messagesOf(o);
  expect(list).toHaveLength(1);
  return list[0]!;
};

beforeAll(async () => {
  peer = await startSlackPeer({ signingSecret: 'events-signing-secret' });
  ingress = await startIngress();
  eventsUrl = `http://127.0.0.1:${(ingress.address() as AddressInfo).port}/webhooks/chan-slack/events`;
});
afterAll(async () => {
  await peer.close();
  await new Promise<void>((resolve) => ingress.close(() => resolve()));
});
beforeEach(() => {
  outcomes = [];
  clock = () => new Date();
  adapter = makeAdapter();
});

describe('signature', () => {
  it('accepts a correctly signed event', async () => {
    const r = await peer.dm(eventsUrl, { user: 'U0CUST1', text: 'hello' });
    expect(r.status).toBe(200);
    expect(outcomes).toHaveLength(1);
  });

  it.each([
    ['a wrong signature', { signature: 'v0=' + '0'.repeat(64) }],
    ['no signature', { signature: null }],
    ['a signature of another version', { signature: 'v1=abc' }],
    ['a timestamp 6 minutes old', { timestamp: Math.floor(Date.now() / 1000) - 360 }],
    ['a timestamp 6 minutes ahead', { timestamp: Math.floor(Date.now() / 1000) + 360 }],
  ])('refuses %s with 401 and parses nothing', async (_, opts) => {
    const r = await peer.dm(eventsUrl, { user: 'U0CUST1', text: 'hello' }, opts);
    expect(r.status).toBe(401);
    expect(outcomes).toHaveLength(0);
  });

  it('checks the window against deps.now(), not the machine clock', async () => {
    clock = () => new Date(Date.now() + 10 * 60 * 1000);
    expect((await peer.dm(eventsUrl, { user: 'U0CUST1', text: 'late' })).status).toBe(401);
    clock = () => new Date(Date.now() + 4 * 60 * 1000);
    expect((await peer.dm(eventsUrl, { user: 'U0CUST1', text: 'in time' })).status).toBe(200);
  });

  it('refuses a body signed with another app\'s secret', async () => {
    adapter = makeAdapter({ signing_secret: 'someone-elses-secret' });
    expect((await peer.dm(eventsUrl, { user: 'U0CUST1', text: 'hello' })).status).toBe(401);
  });

  it('refuses unknown sub-paths, and lets the OAuth browser legs through unsigned', async () => {
    const raw = (subPath: string): RawWebhook => ({ method: 'GET', url: `http://127.0.0.1/webhooks/chan-slack/${subPath}`, subPath, headers: new Headers(), body: '', receivedAt: new Date() });
    await expect(adapter.verify(raw('inbound'))).rejects.toMatchObject({ status: 401 });
    await expect(adapter.verify(raw('events'))).rejects.toMatchObject({ status: 401 });
    await expect(adapter.verify(raw('oauth/install'))).resolves.toBeUndefined();
    await expect(adapter.verify(raw('oauth/callback'))).resolves.toBeUndefined();
  });
});

describe('url_verification', () => {
  it('answers the challenge as JSON', async () => {
    const r = await peer.urlVerification(eventsUrl, '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWM');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(JSON.parse(r.body)).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWM' });
    expect(outcomes[0]?.type).toBe('handshake');
  });
});

describe('messages', () => {
  it('turns a DM into one message keyed by team, channel and ts; the DM is the thread', async () => {
    const r = await peer.dm(eventsUrl, { user: 'U0CUST1', text: 'Hi &amp; hello <https://shop.example/o/1|my order>', channel: 'D0DM1' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    const m = only(outcomes[0]);
    expect(m).toMatchObject({
      channel: 'slack',
      channelId: 'chan-slack',
      externalId: `${peer.teamId}:D0DM1:${r.ts}`,
      externalThreadId: `${peer.teamId}:D0DM1`,
      from: { address: `${peer.teamId}:U0CUST1` },
      text: 'Hi & hello my order (https://shop.example/o/1)',
      attachments: [],
    });
    expect(m.sentAt.getTime()).toBe(Math.floor(Number(r.ts) * 1000));
    expect((m.raw as { event_id: string }).event_id).toBe(r.eventId);
  });

  it('keeps a DM reply in a Slack thread in the same DM session', async () => {
    const first = await peer.dm(eventsUrl, { user: 'U0CUST1', text: 'one', channel: 'D0DM1' });
    await peer.dm(eventsUrl, { user: 'U0CUST1', text: 'two', channel: 'D0DM1', thread_ts: first.ts });
    expect(only(outcomes[1]).externalThreadId).toBe(only(outcomes[0]).externalThreadId);
  });

  it('threads a channel mention under thread_ts, and strips the leading bot mention', async () => {
    const r = await peer.mention(eventsUrl, { user: 'U0CUST2', channel: 'C0SUPPORT', text: 'still waiting on my refund', thread_ts: '1732400000.123456' });
    const m = only(outcomes[0]);
    expect(m.externalId).toBe(`${peer.teamId}:C0SUPPORT:${r.ts}`);
    expect(m.externalThreadId).toBe(`${peer.teamId}:C0SUPPORT:1732400000.123456`);
    expect(m.text).toBe('still waiting on my refund');
  });

  it('starts a thread on a top-level channel post (its own ts)', async () => {
    const r = await peer.mention(eventsUrl, { user: 'U0CUST2', channel: 'C0SUPPORT', text: 'new question' });
    expect(only(outcomes[0]).externalThreadId).toBe(`${peer.teamId}:C0SUPPORT:${r.ts}`);
  });

  it('gives the same externalId to a post seen as message and as app_mention, and to Slack\'s retries', async () => {
    const asMessage = await peer.channelMessage(eventsUrl, { user: 'U0CUST2', channel: 'C0SUPPORT', text: `<@${peer.botUserId}> help` });
    await peer.mention(eventsUrl, { user: 'U0CUST2', channel: 'C0SUPPORT', text: 'help', ts: asMessage.ts });
    const retry = await peer.channelMessage(eventsUrl, { user: 'U0CUST2', channel: 'C0SUPPORT', text: `<@${peer.botUserId}> help`, ts: asMessage.ts }, { eventId: asMessage.eventId, retryNum: 1, retryReason: 'http_timeout' });
    expect(retry.status).toBe(200);
    const ids = outcomes.map((o) => only(o).externalId);
    expect(ids).toEqual([`${peer.teamId}:C0SUPPORT:${asMessage.ts}`, ids[0], ids[0]]);
    expect(outcomes.map((o) => only(o).text)).toEqual(['help', 'help', 'help']);
  });

  it('turns shared files into attachments with their private URLs', async () => {
    const file = peer.addFile(Buffer.from('%PDF-1.4 invoice'), 'application/pdf', 'invoice.pdf');
    await peer.dm(eventsUrl, { user: 'U0CUST1', text: 'here is the invoice', files: [file] });
    expect(only(outcomes[0]).attachments).toEqual([
      { filename: 'invoice.pdf', contentType: 'application/pdf', size: file.size, url: file.url_private_download },
    ]);
  });
});

describe('ignored events', () => {
  const ignored = (o: ParseOutcome | undefined) => {
    expect(o?.type).toBe('ignored');
    return o?.type === 'ignored' ? o.reason : '';
  };

  it('ignores our own bot user\'s posts (Bolt ignoreSelf, bot user from the envelope)', async () => {
    const r = await peer.channelMessage(eventsUrl, { user: peer.botUserId, channel: 'C0SUPPORT', text: 'our reply' });
    expect(r.status).toBe(200);
    ignored(outcomes[0]);
  });

  it('ignores our own bot user when it is configured rather than read from the envelope', async () => {
    adapter = makeAdapter({ bot_user_id: 'U0CONFIGBOT' });
    await peer.channelMessage(eventsUrl, { user: 'U0CONFIGBOT', channel: 'C0SUPPORT', text: 'our reply' });
    ignored(outcomes[0]);
  });

  it('ignores other bots, bot_message, edits, deletions, joins and hidden messages', async () => {
    await peer.channelMessage(eventsUrl, { user: 'U0OTHERBOT', channel: 'C0SUPPORT', text: 'beep', bot_id: 'B0OTHER' });
    await peer.channelMessage(eventsUrl, { user: 'U0CUST2', channel: 'C0SUPPORT', text: 'beep', subtype: 'bot_message' });
    await peer.channelMessage(eventsUrl, { user: 'U0CUST2', channel: 'C0SUPPORT', text: 'edited', subtype: 'message_changed' });
    await peer.channelMessage(eventsUrl, { user: 'U0CUST2', channel: 'C0SUPPORT', text: '', subtype: 'message_deleted' });
    await peer.channelMessage(eventsUrl, { user: 'U0CUST2', channel: 'C0SUPPORT', text: 'joined', subtype: 'channel_join' });
    await peer.sendEvent(eventsUrl, { type: 'message', user: 'U0CUST2', channel: 'C0SUPPORT', text: 'x', ts: '1732400000.000001', hidden: true });
    expect(outcomes).toHaveLength(6);
    const reasons = outcomes.map(ignored);
    expect(reasons[0]).toMatch(/bot/);
    expect(reasons[2]).toMatch(/message_changed/);
    expect(reasons[5]).toMatch(/hidden/);
  });

  it('keeps thread_broadcast posts', async () => {
    await peer.channelMessage(eventsUrl, { user: 'U0CUST2', channel: 'C0SUPPORT', text: 'also to channel', subtype: 'thread_broadcast', thread_ts: '1732400000.000100' });
    expect(only(outcomes[0]).externalThreadId).toBe(`${peer.teamId}:C0SUPPORT:1732400000.000100`);
  });

  it('acknowledges app_rate_limited and unrelated events with an empty 200', async () => {
    const r = await peer.sendEvent(eventsUrl, { type: 'reaction_added', user: 'U0CUST2', reaction: 'thumbsup', item: { type: 'message', channel: 'C0SUPPORT', ts: '1.2' }, event_ts: '1.3' });
    expect(r.status).toBe(200);
    ignored(outcomes[0]);
    const body = JSON.stringify({ token: 't', team_id: peer.teamId, minute_rate_limited: 1518467820, api_app_id: peer.appId, type: 'app_rate_limited' });
    const raw: RawWebhook = { method: 'POST', url: eventsUrl, subPath: 'events', headers: new Headers(), body, receivedAt: new Date() };
    const outcome = await adapter.parse(raw);
    expect(outcome).toMatchObject({ type: 'ignored', reason: expect.stringMatching(/app_rate_limited/) });
  });

  it('throws on a body that is not a Slack envelope (core quarantines it)', async () => {
    const raw: RawWebhook = { method: 'POST', url: eventsUrl, subPath: 'events', headers: new Headers(), body: 'not json', receivedAt: new Date() };
    await expect(adapter.parse(raw)).rejects.toThrow();
  });
});
