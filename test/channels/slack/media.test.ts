import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slackConfigSchema } from '../../../channels/slack/config.ts';
import { slackAdapter } from '../../../channels/slack/index.ts';
import type { ChannelAdapter } from '../../../src/domain/model/adapter.ts';
import type { AttachmentRef } from '../../../src/domain/model/messages.ts';
import { MediaError } from '../../../src/errors.ts';
import { type SlackPeer, startSlackPeer } from '../../../channels/slack/peer/slack-peer.ts';
import { noAttachments } from '../../helpers/adapter-deps.ts';

// Reading what Slack holds for us: shared files (private URLs that need the workspace's bot token, which must
// go nowhere else) and people's profiles (users.info, best effort). deps.fetch records every request.

let peer: SlackPeer;
let calls: Array<{ url: string; auth: string | null; redirect: RequestInit['redirect'] }>;
/** Rewrites a peer answer before the adapter sees it. */
let rewrite: ((url: string, res: Response) => Response) | undefined;

const recordingFetch: typeof fetch = async (input, init) => {
  const url = String(input);
  calls.push({ url, auth: new Headers(init?.headers).get('authorization'), redirect: init?.redirect });
  if (!url.startsWith(peer.url)) throw new TypeError('fetch failed: the test network has only the peer');
  const res = await fetch(input, init);
  return rewrite ? rewrite(url, res) : res;
};

function makeAdapter(extra: Record<string, unknown> = {}): ChannelAdapter {
  const config = slackConfigSchema.parse({ signing_secret: 's', bot_token: peer.botToken, api_base_url: `${peer.url}/api`, ...extra });
  const deps = { fetch: recordingFetch, now: () => new Date(), publicUrl: 'https://switchboard.example', realtime: { toContact: async () => 0 }, loadAttachment: noAttachments };
  return slackAdapter.create(config, deps, { id: 'chan-media', webhookUrls: {} });
}

const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5000, 0x41)]);
const refOf = (f: { name: string; mimetype: string; url_private_download: string }): AttachmentRef => ({ filename: f.name, contentType: f.mimetype, url: f.url_private_download });
const fetchMedia = (ref: AttachmentRef, maxBytes = 1_000_000, adapter = makeAdapter()) => adapter.fetchMedia!(ref, maxBytes, AbortSignal.timeout(5000));

async function mediaError(p: Promise<unknown>): Promise<MediaError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MediaError);
  return err as MediaError;
}

beforeAll(async () => {
  peer = await startSlackPeer();
});
afterAll(() => peer.close());
beforeEach(() => {
  calls = [];
  rewrite = undefined;
});

describe('fetchMedia', () => {
  it('downloads a private file with the bot token, not following redirects', async () => {
    const file = peer.addFile(pdf, 'application/pdf', 'invoice.pdf');
    const media = await fetchMedia(refOf(file));
    expect(Buffer.from(media.bytes)).toEqual(pdf);
    expect(media).toMatchObject({ contentType: 'application/pdf', filename: 'invoice.pdf' });
    expect(calls).toEqual([{ url: file.url_private_download, auth: `Bearer ${peer.botToken}`, redirect: 'manual' }]);
  });

  it('uses the token of the workspace named in the file URL', async () => {
    const file = peer.addFile(pdf, 'application/pdf', 'a.pdf');
    const adapter = makeAdapter({ bot_token: 'xoxb-some-other-workspace', installations: { [peer.teamId]: { bot_token: peer.botToken, bot_user_id: peer.botUserId } } });
    await fetchMedia(refOf(file), 1_000_000, adapter);
    expect(calls[0]?.auth).toBe(`Bearer ${peer.botToken}`);
  });

  it('refuses Slack\'s HTML login page (a token without files:read)', async () => {
    const file = peer.addFile(pdf, 'application/pdf', 'a.pdf');
    const err = await mediaError(fetchMedia(refOf(file), 1_000_000, makeAdapter({ bot_token: 'xoxb-not-valid-here' })));
    expect(err.message).toMatch(/HTML/);
  });

  it('never sends the token to another host', async () => {
    await mediaError(fetchMedia({ filename: 'x.pdf', contentType: 'application/pdf', url: `https://evil.example/files-pri/${peer.teamId}-F1/x.pdf` }));
    await mediaError(fetchMedia({ filename: 'x.pdf', contentType: 'application/pdf', url: `http://files.slack.com/files-pri/${peer.teamId}-F1/x.pdf` }));
    await mediaError(fetchMedia({ filename: 'x.pdf', contentType: 'application/pdf' }));
    expect(calls).toEqual([]);
  });

  it('refuses a redirect instead of following it', async () => {
    const file = peer.addFile(pdf, 'application/pdf', 'a.pdf');
    rewrite = () => new Response(null, { status: 302, headers: { location: 'https://evil.example/steal' } });
    const err = await mediaError(fetchMedia(refOf(file)));
    expect(err.message).toMatch(/redirect/i);
    expect(calls).toHaveLength(1);
  });

  it('refuses a file over the limit, by its length and while streaming', async () => {
    const file = peer.addFile(pdf, 'application/pdf', 'big.pdf');
    await mediaError(fetchMedia(refOf(file), 1000));
    rewrite = (_, res) => new Response(res.body, { status: res.status, headers: { 'content-type': 'application/pdf' } });
    const err = await mediaError(fetchMedia(refOf(file), 1000));
    expect(err.message).toMatch(/limit/);
  });

  it('reports a missing file as a MediaError', async () => {
    const file = peer.addFile(pdf, 'application/pdf', 'a.pdf');
    await mediaError(fetchMedia({ ...refOf(file), url: file.url_private_download.replace(file.id, 'F0MISSING') }));
  });
});

describe('lookupContact', () => {
  const lookup = (address: string, adapter = makeAdapter()) => adapter.lookupContact!(address, AbortSignal.timeout(5000));

  it('answers the profile\'s real name and email, with the workspace\'s token', async () => {
    peer.addUser('U0ADA', { realName: 'Ada Lovelace', displayName: 'ada', email: 'ada@example.com' });
    expect(await lookup(`${peer.teamId}:U0ADA`)).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(peer.calls.at(-1)).toMatchObject({ method: 'users.info', token: peer.botToken });
  });

  it('falls back to the display name, and leaves out what Slack does not say', async () => {
    peer.addUser('U0NOMAIL', { realName: '', displayName: 'grace' });
    expect(await lookup(`${peer.teamId}:U0NOMAIL`)).toEqual({ name: 'grace' });
  });

  it('is undefined, never an error, when it cannot know', async () => {
    expect(await lookup(`${peer.teamId}:U0NOBODY`)).toBeUndefined();
    expect(await lookup('not-an-address')).toBeUndefined();
    expect(await lookup(`${peer.teamId}:U0ADA`, makeAdapter({ bot_token: 'xoxb-invalid' }))).toBeUndefined();
    expect(await lookup(`${peer.teamId}:U0ADA`, makeAdapter({ api_base_url: 'http://127.0.0.1:1/api' }))).toBeUndefined();
    peer.failNext('users.info', 1, 'missing_scope');
    expect(await lookup(`${peer.teamId}:U0ADA`)).toBeUndefined();
  });
});
