import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsAdapter } from '../../../../channels/sms/index.ts';
import type { AdapterDeps, ChannelAdapter } from '../../../../src/domain/model/adapter.ts';
import type { AttachmentRef } from '../../../../src/domain/model/messages.ts';
import { MediaError } from '../../../../src/errors.ts';
import { startTwilioPeer, type TwilioPeer } from '../../../../channels/shared/twilio/peer/twilio-peer.ts';
import { noAttachments } from '../../../helpers/adapter-deps.ts';

// fetchMedia: HTTP Basic at the Twilio host only, redirects only into Twilio storage (credentials dropped on the
// way), a byte cap while streaming. Against the peer over real HTTP; cross-host redirects with a scripted fetch
// standing in for api.twilio.com and S3, which a test cannot reach.

const channel = { id: 'ch_m', webhookUrls: { status: 'https://gw.example.com/webhooks/ch_m/status' } };
const PNG = new Uint8Array(Array.from({ length: 2048 }, (_, i) => i % 251));

let peer: TwilioPeer;
beforeAll(async () => {
  peer = await startTwilioPeer({ autoStatus: false });
});
afterAll(() => peer.close());

interface Call {
  url: string;
  authorization: string | null;
  redirect: RequestInit['redirect'];
}

function adapter(fetchImpl: typeof fetch, extra: Record<string, unknown> = {}): { adapter: ChannelAdapter; calls: Call[] } {
  const calls: Call[] = [];
  const recording: typeof fetch = async (input, init) => {
    calls.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization'), redirect: init?.redirect });
    return fetchImpl(input, init);
  };
  const deps: AdapterDeps = { fetch: recording, now: () => new Date(), publicUrl: 'https://gw.example.com', realtime: { toContact: async () => 0 }, loadAttachment: noAttachments };
  const cfg = smsAdapter.configSchema.parse({
    account_sid: peer.accountSid,
    auth_token: peer.authToken,
    api_base_url: peer.url,
    from: '+14155550100',
    ...extra,
  });
  return { adapter: smsAdapter.create(cfg, deps, channel), calls };
}

const ref = (url: string): AttachmentRef => ({ filename: 'ME1.png', contentType: 'image/png', url });
const fetchMedia = (a: ChannelAdapter, r: AttachmentRef, max = 1 << 20) => a.fetchMedia!(r, max, new AbortController().signal);
const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('against the peer', () => {
  it('fetches the bytes with Basic auth, following the redirect to storage', async () => {
    const url = peer.addMedia(PNG, 'image/png; charset=binary');
    const { adapter: a, calls } = adapter(globalThis.fetch);
    const media = await fetchMedia(a, ref(url));
    expect(Buffer.from(media.bytes).equals(Buffer.from(PNG))).toBe(true);
    expect(media).toMatchObject({ contentType: 'image/png', filename: 'ME1.png' });
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ url, redirect: 'manual' });
    expect(calls[0]!.authorization).toBe(`Basic ${Buffer.from(`${peer.accountSid}:${peer.authToken}`).toString('base64')}`);
    expect(calls[1]!.url).toContain('/_media/');
  });

  it('uses the API key for media when one is configured', async () => {
    const key = peer.addApiKey();
    const { adapter: a, calls } = adapter(globalThis.fetch, { api_key_sid: key.sid, api_key_secret: key.secret });
    await fetchMedia(a, ref(peer.addMedia(PNG, 'image/png')));
    expect(calls[0]!.authorization).toBe(`Basic ${Buffer.from(`${key.sid}:${key.secret}`).toString('base64')}`);
  });

  it('turns a refusal (wrong token → 401) into MediaError', async () => {
    const { adapter: a } = adapter(globalThis.fetch, { auth_token: '0'.repeat(32) });
    const err = await refusal(fetchMedia(a, ref(peer.addMedia(PNG, 'image/png'))));
    expect(err).toBeInstanceOf(MediaError);
    expect((err as Error).message).toContain('401');
  });

  it('refuses more than maxBytes (Content-Length) before reading the body', async () => {
    const { adapter: a } = adapter(globalThis.fetch);
    const err = await refusal(fetchMedia(a, ref(peer.addMedia(PNG, 'image/png')), 1000));
    expect(err).toBeInstanceOf(MediaError);
    expect((err as Error).message).toMatch(/over the 1000-byte limit/);
    const exact = await fetchMedia(a, ref(peer.addMedia(PNG, 'image/png')), PNG.length);
    expect(exact.bytes.byteLength).toBe(PNG.length);
  });

  it.each([
    (u: URL) => `http://127.0.0.2:${u.port}${u.pathname}`,
    (u: URL) => `http://localhost:${u.port}${u.pathname}`,
    (u: URL) => `https://example.com${u.pathname}`,
    (u: URL) => `http://api.twilio.com${u.pathname}`,
    () => 'not a url',
  ])('refuses to start at another host (%#) and sends nothing', async (move) => {
    const { adapter: a, calls } = adapter(globalThis.fetch);
    const err = await refusal(fetchMedia(a, ref(move(new URL(peer.addMedia(PNG, 'image/png'))))));
    expect(err).toBeInstanceOf(MediaError);
    expect(calls).toHaveLength(0);
  });

  it('refuses an attachment without a URL', async () => {
    const { adapter: a } = adapter(globalThis.fetch);
    expect(await refusal(a.fetchMedia!({ filename: 'x', contentType: 'image/png' }, 10, new AbortController().signal))).toBeInstanceOf(MediaError);
  });
});

describe('redirects at real Twilio (scripted fetch)', () => {
  const TWILIO_URL = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1';
  const S3_URL = 'https://s3-external-1.amazonaws.com/media.twiliocdn.com/AC1/abc?X-Amz-Signature=sig';

  function scripted(routes: Record<string, () => Response>): typeof fetch {
    return async (input) => {
      const route = routes[String(input)];
      if (!route) throw new Error(`unexpected fetch ${String(input)}`);
      return route();
    };
  }
  const redirect = (location: string, status = 307) => () => new Response(null, { status, headers: { location } });
  const twilioAdapter = (f: typeof fetch) => adapter(f, { api_base_url: 'https://api.twilio.com' });

  it('drops Authorization when the redirect leaves the Twilio host', async () => {
    const { adapter: a, calls } = twilioAdapter(
      scripted({ [TWILIO_URL]: redirect(S3_URL, 302), [S3_URL]: () => new Response(PNG, { headers: { 'content-type': 'image/png' } }) }),
    );
    const media = await fetchMedia(a, ref(TWILIO_URL));
    expect(media.bytes.byteLength).toBe(PNG.length);
    expect(calls.map((c) => [c.url, c.authorization !== null])).toEqual([
      [TWILIO_URL, true],
      [S3_URL, false],
    ]);
  });

  it.each(['https://evil.example.com/x', 'http://s3-external-1.amazonaws.com/x', 'https://s3.amazonaws.com.evil.example/x', 'https://127.0.0.1/x'])(
    'refuses a redirect to %s',
    async (target) => {
      const { adapter: a, calls } = twilioAdapter(scripted({ [TWILIO_URL]: redirect(target) }));
      expect(await refusal(fetchMedia(a, ref(TWILIO_URL)))).toBeInstanceOf(MediaError);
      expect(calls).toHaveLength(1);
    },
  );

  it('follows at most 3 redirects', async () => {
    const hop = (n: number) => `https://mms.twiliocdn.com/hop${n}`;
    const routes = { [TWILIO_URL]: redirect(hop(1)), [hop(1)]: redirect(hop(2)), [hop(2)]: redirect(hop(3)), [hop(3)]: redirect(hop(4)) };
    const { adapter: a, calls } = twilioAdapter(scripted(routes));
    expect(await refusal(fetchMedia(a, ref(TWILIO_URL)))).toBeInstanceOf(MediaError);
    expect(calls).toHaveLength(4);
  });

  it('caps a body without Content-Length while streaming', async () => {
    let pulled = 0;
    const endless = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled++;
            controller.enqueue(new Uint8Array(512));
          },
        }),
        { headers: { 'content-type': 'audio/ogg' } },
      );
    const { adapter: a } = twilioAdapter(scripted({ [TWILIO_URL]: endless }));
    expect(await refusal(fetchMedia(a, ref(TWILIO_URL), 4096))).toBeInstanceOf(MediaError);
    expect(pulled).toBeLessThan(20);
  });

  it('turns a 404 into MediaError', async () => {
    const { adapter: a } = twilioAdapter(scripted({ [TWILIO_URL]: () => new Response('gone', { status: 404 }) }));
    expect(await refusal(fetchMedia(a, ref(TWILIO_URL)))).toBeInstanceOf(MediaError);
  });
});
