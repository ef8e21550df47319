import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { metaConfigSchema } from '../../../channels/whatsapp/meta/config.ts';
import { whatsappMetaAdapter } from '../../../channels/whatsapp/meta/index.ts';
import type { ChannelAdapter } from '../../../src/domain/model/adapter.ts';
import type { AttachmentRef } from '../../../src/domain/model/messages.ts';
import { MediaError } from '../../../src/errors.ts';
import { type MetaPeer, startMetaPeer } from '../../../channels/whatsapp/meta/peer/meta-peer.ts';
import { noAttachments } from '../../helpers/adapter-deps.ts';

// fetchMedia against the sandbox: media object → lookaside URL → bytes, with the Bearer token sent only to Meta's
// hosts, sizes refused before and while downloading, and the announced sha256 checked. A recording fetch shows
// which requests (and tokens) left the adapter.

let peer: MetaPeer;
let calls: Array<{ url: string; auth: string | null }>;
/** Rewrites the JSON media object before the adapter sees it (a tampered or odd Graph answer). */
let rewriteObject: ((o: Record<string, unknown>) => Record<string, unknown>) | undefined;
/** Drops Content-Length from the download, so only the streaming count can stop it. */
let unsizedDownload = false;

const recordingFetch: typeof fetch = async (input, init) => {
  const url = String(input);
  calls.push({ url, auth: new Headers(init?.headers).get('authorization') });
  if (!url.startsWith(peer.url)) throw new TypeError('fetch failed: test network allows only the peer');
  const res = await fetch(input, init);
  if (rewriteObject && url.includes('/v21.0/')) {
    return Response.json(rewriteObject((await res.json()) as Record<string, unknown>));
  }
  if (unsizedDownload && url.includes('/lookaside/')) return new Response(res.body, { status: res.status, headers: { 'content-type': 'image/png' } });
  return res;
};

function makeAdapter(): ChannelAdapter {
  const config = metaConfigSchema.parse({
    phone_number_id: peer.phoneNumberId,
    access_token: peer.accessToken,
    app_secret: peer.appSecret,
    verify_token: peer.verifyToken,
    api_base_url: peer.url,
  });
  const deps = { fetch: recordingFetch, now: () => new Date(), publicUrl: 'http://127.0.0.1', realtime: { toContact: async () => 0 }, loadAttachment: noAttachments };
  return whatsappMetaAdapter.create(config, deps, { id: 'chan-wa', webhookUrls: {} });
}

const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);
const refFor = (mediaId: string): AttachmentRef => ({ filename: `${mediaId}.png`, contentType: 'image/png', url: `${peer.url}/v21.0/${mediaId}` });
const fetchMedia = (ref: AttachmentRef, maxBytes = 1_000_000) => makeAdapter().fetchMedia!(ref, maxBytes, AbortSignal.timeout(5000));

async function mediaError(p: Promise<unknown>): Promise<MediaError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(MediaError);
  return err as MediaError;
}

beforeAll(async () => {
  peer = await startMetaPeer({ accessToken: 'EAAG-media-test' });
});
afterAll(() => peer.close());
beforeEach(() => {
  calls = [];
  rewriteObject = undefined;
  unsizedDownload = false;
});

describe('fetchMedia', () => {
  it('gets the media object, then the download URL, both with the Bearer token', async () => {
    const id = peer.addMedia(png, 'image/png');
    const media = await fetchMedia(refFor(id));
    expect(Buffer.from(media.bytes)).toEqual(png);
    expect(media).toMatchObject({ contentType: 'image/png', filename: `${id}.png` });
    expect(calls.map((c) => [new URL(c.url).pathname, c.auth])).toEqual([
      [`/v21.0/${id}`, 'Bearer EAAG-media-test'],
      ['/lookaside/whatsapp_business/attachments/', 'Bearer EAAG-media-test'],
    ]);
  });

  it('refuses bytes whose sha256 differs from the one Meta announced', async () => {
    const id = peer.addMedia(png, 'image/png', { announcedSha256: createHash('sha256').update('something else').digest('hex') });
    expect((await mediaError(fetchMedia(refFor(id)))).message).toContain('sha256');
  });

  it('accepts the sha256 spelled in base64 as well as hex', async () => {
    const id = peer.addMedia(png, 'image/png', { announcedSha256: createHash('sha256').update(png).digest('base64') });
    expect((await fetchMedia(refFor(id))).bytes.byteLength).toBe(png.length);
  });

  it('refuses a ref on a foreign host without sending anything', async () => {
    await mediaError(fetchMedia({ ...refFor('123'), url: 'https://evil.example.com/v21.0/123' }));
    expect(calls).toEqual([]);
  });

  it('refuses a download URL off Meta hosts, so the token never leaves', async () => {
    const id = peer.addMedia(png, 'image/png');
    rewriteObject = (o) => ({ ...o, url: 'https://evil.example.com/steal' });
    await mediaError(fetchMedia(refFor(id)));
    expect(calls.map((c) => new URL(c.url).host)).toEqual([new URL(peer.url).host]);
  });

  it('refuses media whose announced file_size is over the cap, before downloading', async () => {
    const id = peer.addMedia(png, 'image/png');
    expect((await mediaError(fetchMedia(refFor(id), 1000))).message).toMatch(/over 1000/);
    expect(calls).toHaveLength(1);
  });

  it('stops a download that streams past the cap when no size was announced', async () => {
    const id = peer.addMedia(png, 'image/png');
    rewriteObject = ({ file_size: _size, ...o }) => o;
    unsizedDownload = true;
    expect((await mediaError(fetchMedia(refFor(id), 1000))).message).toMatch(/over the 1000-byte limit/);
    expect(calls).toHaveLength(2);
  });

  it('turns an unknown media id (Graph 400) into a MediaError', async () => {
    await mediaError(fetchMedia(refFor('999999999999999')));
  });

  it('the lookaside URL needs the Bearer token too', async () => {
    const id = peer.addMedia(png, 'image/png');
    const object = (await (await fetch(`${peer.url}/v21.0/${id}`, { headers: { authorization: `Bearer ${peer.accessToken}` } })).json()) as {
      url: string;
    };
    expect((await fetch(object.url)).status).toBe(401);
  });
});
