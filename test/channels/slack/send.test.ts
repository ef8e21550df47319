import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slackConfigSchema } from '../../../channels/slack/config.ts';
import { slackAdapter } from '../../../channels/slack/index.ts';
import { createLocalBlobStore } from '../../../src/blob/local-blob-store.ts';
import type { ChannelAdapter } from '../../../src/domain/model/adapter.ts';
import { createAttachmentLoader } from '../../../src/domain/files/attachment-loader.ts';
import type { AttachmentRef, OutboundMessage } from '../../../src/domain/model/messages.ts';
import { DeliveryError } from '../../../src/errors.ts';
import { createAddressPolicy } from '../../../src/net/address-policy.ts';
import { createOutboundClient } from '../../../src/net/guarded-fetch.ts';
import { type SlackPeer, startSlackPeer } from '../../../channels/slack/peer/slack-peer.ts';

// Replies through @slack/web-api to the Slack peer: into the right thread (or top-level in a DM), as mrkdwn, files
// uploaded with filesUploadV2, and every failure classified for the dispatch queue. deps.fetch records what left
// the adapter for Slack's API; files come through core's loader: ours from the blob store (never over our own
// https://switchboard.example/files/… link), a sender's link through the outbound guard (default policy).

let peer: SlackPeer;
let requests: Array<{ url: string; body: string }>;
const blobDir = mkdtempSync(join(tmpdir(), 'sb-slack-blobs-'));
const blobs = createLocalBlobStore(blobDir);
const outbound = createOutboundClient({ policy: createAddressPolicy() });
const loadAttachment = createAttachmentLoader({ blobs, fetch: outbound.fetch });

const recordingFetch: typeof fetch = async (input, init) => {
  requests.push({ url: String(input), body: typeof init?.body === 'string' ? init.body : '' });
  return fetch(input, init);
};

/** A file we hold, as dispatch hands it over: its blob key beside the signed link providers would fetch. */
async function stored(filename: string, contentType: string, bytes: Uint8Array): Promise<AttachmentRef> {
  const { key } = await blobs.put(bytes, contentType);
  return { filename, contentType, url: `https://switchboard.example/files/${filename}?sig=abc`, blobKey: key };
}

function makeAdapter(extra: Record<string, unknown> = {}): ChannelAdapter {
  const config = slackConfigSchema.parse({ signing_secret: 's', bot_token: peer.botToken, api_base_url: `${peer.url}/api`, ...extra });
  const deps = { fetch: recordingFetch, now: () => new Date(), publicUrl: 'https://switchboard.example', realtime: { toContact: async () => 0 }, loadAttachment };
  return slackAdapter.create(config, deps, { id: 'chan-send', webhookUrls: {} });
}

const reply = (externalThreadId: string | undefined, text: string, attachments: AttachmentRef[] = []): OutboundMessage => ({
  messageId: 'msg-1',
  sessionId: 'sess-1',
  to: { address: `${peer.teamId}:U0CUST` },
  text,
  attachments,
  ...(externalThreadId === undefined ? {} : { externalThreadId }),
});

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

const send = (msg: OutboundMessage, adapter = makeAdapter()) => adapter.send(msg, AbortSignal.timeout(5000));
const thread = () => `${peer.teamId}:C0SUPPORT:1732400000.000100`;

beforeAll(async () => {
  peer = await startSlackPeer();
});
afterAll(async () => {
  await peer.close();
  await outbound.close();
  rmSync(blobDir, { recursive: true, force: true });
});
beforeEach(() => {
  requests = [];
  peer.posted.length = 0;
  peer.uploads.length = 0;
});

describe('posting', () => {
  it('posts into the thread, as mrkdwn, without unfurling links', async () => {
    const receipt = await send(reply(thread(), '**Refund** sent — see [your order](https://shop.example/o?id=1&x=2) <3'));
    expect(peer.posted).toHaveLength(1);
    const posted = peer.posted[0]!;
    expect(posted).toMatchObject({
      channel: 'C0SUPPORT',
      thread_ts: '1732400000.000100',
      text: '*Refund* sent — see <https://shop.example/o?id=1&amp;x=2|your order> &lt;3',
      token: peer.botToken,
    });
    expect(receipt).toEqual({ externalId: `C0SUPPORT:${posted.ts}`, status: 'delivered' });
    const call = new URLSearchParams(requests.find((r) => r.url.endsWith('/chat.postMessage'))!.body);
    expect(call.get('mrkdwn')).toBe('true');
    expect(call.get('unfurl_links')).toBe('false');
  });

  it('posts top-level in a DM', async () => {
    await send(reply(`${peer.teamId}:D0DM1`, 'hello'));
    expect(peer.posted[0]).toMatchObject({ channel: 'D0DM1', text: 'hello' });
    expect(peer.posted[0]!.thread_ts).toBeUndefined();
  });

  it('uses the token of the workspace the conversation is in', async () => {
    const adapter = makeAdapter({ bot_token: 'xoxb-not-this-one', installations: { [peer.teamId]: { bot_token: peer.botToken, bot_user_id: peer.botUserId } } });
    await send(reply(`${peer.teamId}:D0DM1`, 'hi'), adapter);
    expect(peer.posted[0]?.token).toBe(peer.botToken);
  });

  it('uploads attachments into the same thread after the text', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(3000, 9)]);
    const receipt = await send(reply(thread(), 'Here is your receipt', [await stored('receipt.png', 'image/png', png)]));
    expect(peer.posted).toHaveLength(1);
    expect(peer.uploads).toHaveLength(1);
    expect(peer.uploads[0]).toMatchObject({ filename: 'receipt.png', title: 'receipt.png', channel_id: 'C0SUPPORT', thread_ts: '1732400000.000100' });
    expect(Buffer.from(peer.uploads[0]!.bytes)).toEqual(png);
    expect(peer.uploads[0]!.at.getTime()).toBeGreaterThanOrEqual(peer.posted[0]!.at.getTime());
    expect(receipt.externalId).toBe(`C0SUPPORT:${peer.posted[0]!.ts}`);
    expect(requests.filter((r) => r.url.includes('/files/'))).toEqual([]);
  });

  it('sends files alone when there is no text, top-level in a DM', async () => {
    const receipt = await send(reply(`${peer.teamId}:D0DM1`, '', [await stored('a.txt', 'text/plain', Buffer.from('hello file'))]));
    expect(peer.posted).toHaveLength(0);
    expect(peer.uploads[0]).toMatchObject({ filename: 'a.txt', channel_id: 'D0DM1' });
    expect(peer.uploads[0]!.thread_ts).toBeUndefined();
    expect(receipt).toEqual({ externalId: `D0DM1:${peer.uploads[0]!.file_id}`, status: 'delivered' });
  });

  it('fails without posting anything when a stored file is gone', async () => {
    const gone = { ...(await stored('x.pdf', 'application/pdf', Buffer.from('x'))), blobKey: `00/00/${'0'.repeat(64)}` };
    const err = await deliveryError(send(reply(thread(), 'text', [gone])));
    expect(err).toMatchObject({ retry: 'never', message: 'attachment_missing: x.pdf: its stored bytes are gone' });
    expect(peer.posted).toHaveLength(0);
  });

  it('fails at once, posting nothing, when a sender\'s link points at an internal address', async () => {
    let hits = 0;
    const internal = createServer((_req, res) => {
      hits++;
      res.end('internal secrets');
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(internal.address() as AddressInfo).port}/secrets.txt`;
    try {
      const err = await deliveryError(send(reply(thread(), 'text', [{ filename: 'secrets.txt', contentType: 'text/plain', url }])));
      expect(err).toMatchObject({ retry: 'never', message: 'attachment_blocked: secrets.txt: 127.0.0.1 is a loopback address' });
      expect(hits).toBe(0);
      expect(peer.posted).toHaveLength(0);
    } finally {
      await new Promise<void>((resolve) => internal.close(() => resolve()));
    }
  });
});

describe('failures', () => {
  it('429 → rate-limited with Retry-After, without the SDK waiting it out', async () => {
    peer.rateLimitNext(1, 7);
    const started = Date.now();
    const err = await deliveryError(send(reply(thread(), 'hi')));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err.retry).toBe('rate-limited');
    expect(err.extra.retryAfterMs).toBe(7000);
    expect(peer.posted).toHaveLength(0);
    // The next attempt goes through.
    await send(reply(thread(), 'hi'));
    expect(peer.posted).toHaveLength(1);
  });

  it('invalid_auth → never, with Slack\'s code (a token Slack does not know)', async () => {
    const err = await deliveryError(send(reply(thread(), 'hi'), makeAdapter({ bot_token: 'xoxb-revoked-long-ago' })));
    expect(err).toMatchObject({ retry: 'never', message: 'slack: invalid_auth', extra: { providerCode: 'invalid_auth' } });
  });

  it.each(['channel_not_found', 'not_in_channel', 'is_archived', 'token_revoked', 'account_inactive', 'missing_scope', 'no_text', 'some_new_error'])(
    '%s → never',
    async (code) => {
      peer.failNext('chat.postMessage', 1, code);
      const err = await deliveryError(send(reply(thread(), 'hi')));
      expect(err).toMatchObject({ retry: 'never', message: `slack: ${code}`, extra: { providerCode: code } });
    },
  );

  it('msg_too_long from Slack → never', async () => {
    const err = await deliveryError(send(reply(thread(), 'x'.repeat(40_001))));
    expect(err).toMatchObject({ retry: 'never', extra: { providerCode: 'msg_too_long' } });
  });

  it('Slack\'s transient errors and an unreachable API → later', async () => {
    peer.failNext('chat.postMessage', 1, 'internal_error');
    expect((await deliveryError(send(reply(thread(), 'hi')))).retry).toBe('later');
    const down = makeAdapter({ api_base_url: 'http://127.0.0.1:1/api' });
    expect((await deliveryError(send(reply(thread(), 'hi'), down))).retry).toBe('later');
  });

  it('a failed upload after the text → classified like any call', async () => {
    const file = await stored('b.txt', 'text/plain', Buffer.from('b'));
    peer.failNext('files.completeUploadExternal', 1, 'not_in_channel');
    const err = await deliveryError(send(reply(thread(), 'text', [file])));
    expect(err).toMatchObject({ retry: 'never', extra: { providerCode: 'not_in_channel' } });
  });

  it('no Slack conversation, or no token for its workspace → never, nothing sent', async () => {
    expect((await deliveryError(send(reply(undefined, 'hi')))).retry).toBe('never');
    expect((await deliveryError(send(reply('not-a-thread', 'hi')))).retry).toBe('never');
    const oauthOnly = makeAdapter({ bot_token: undefined, client_id: '1.2', client_secret: 'x' });
    expect((await deliveryError(send(reply(thread(), 'hi'), oauthOnly))).retry).toBe('never');
    expect(requests).toHaveLength(0);
  });

  it('an aborted send → later', async () => {
    const err = await deliveryError(makeAdapter().send(reply(thread(), 'hi'), AbortSignal.abort()));
    expect(err.retry).toBe('later');
    await new Promise((r) => setTimeout(r, 50));
    expect(requests).toHaveLength(0);
    expect(peer.posted).toHaveLength(0);
  });
});
