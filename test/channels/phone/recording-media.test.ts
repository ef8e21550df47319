import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneAdapter } from '../../../channels/phone/index.ts';
import type { ChannelAdapter } from '../../../src/domain/model/adapter.ts';
import { MediaError } from '../../../src/errors.ts';
import { noAttachments } from '../../helpers/adapter-deps.ts';

// Recording downloads against a local stand-in for Twilio's Recordings endpoint: HTTP Basic with the account's
// credentials, an optional hop, and a 401 Twilio error body otherwise.

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'voice-token-0123456789';
const REC = 'RE0123456789abcdef0123456789abcdef';
const MP3 = Buffer.from('ID3\u0003fake-mp3-frames'.repeat(20));
const recordings = `/2010-04-01/Accounts/${ACCOUNT}/Recordings`;

let server: Server;
let base = '';
const seenAuth: Array<string | undefined> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seenAuth.push(req.headers.authorization);
    const expected = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;
    if (req.url === `${recordings}/REmoved.mp3`) return void res.writeHead(302, { Location: `${recordings}/${REC}.mp3` }).end();
    if (req.url === `${recordings}/REoffsite.mp3`) return void res.writeHead(302, { Location: 'http://169.254.169.254/latest' }).end();
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 }));
    }
    if (req.url !== `${recordings}/${REC}.mp3`) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': String(MP3.length) });
    res.end(MP3);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function adapter(token = TOKEN): ChannelAdapter {
  const config = phoneAdapter.configSchema.parse({ account_sid: ACCOUNT, auth_token: token, from: '+18005550100', api_base_url: base });
  return phoneAdapter.create(
    config,
    { fetch, now: () => new Date(), publicUrl: 'https://support.example.com', realtime: { toContact: async () => 0 }, loadAttachment: noAttachments },
    { id: 'ch_phone', webhookUrls: { voice: 'https://support.example.com/webhooks/ch_phone/voice' } },
  );
}

const ref = (name: string, url = `${base}${recordings}/${name}.mp3`) => ({ filename: `${name}.mp3`, contentType: 'audio/mpeg', url });
const signal = () => new AbortController().signal;

describe('phone fetchMedia (call recordings)', () => {
  it('downloads the mp3 with the account credentials', async () => {
    const media = await adapter().fetchMedia!(ref(REC), 1_000_000, signal());
    expect(Buffer.from(media.bytes).equals(MP3)).toBe(true);
    expect(media).toMatchObject({ contentType: 'audio/mpeg', filename: `${REC}.mp3` });
  });

  it('follows a redirect on the same host, keeping the credentials', async () => {
    const media = await adapter().fetchMedia!(ref('REmoved'), 1_000_000, signal());
    expect(media.bytes.byteLength).toBe(MP3.length);
  });

  it('refuses more bytes than allowed', async () => {
    await expect(adapter().fetchMedia!(ref(REC), 100, signal())).rejects.toThrow(MediaError);
  });

  it('reports Twilio refusing the credentials', async () => {
    await expect(adapter('wrong-token').fetchMedia!(ref(REC), 1_000_000, signal())).rejects.toThrow('Twilio answered 401');
  });

  it('never fetches outside the account Recordings on the API host, nor follows a redirect off it', async () => {
    const before = seenAuth.length;
    await expect(adapter().fetchMedia!(ref(REC, `${base}/2010-04-01/Accounts/ACffffffffffffffffffffffffffffffff/Recordings/${REC}.mp3`), 1e6, signal())).rejects.toThrow(MediaError);
    await expect(adapter().fetchMedia!(ref(REC, `https://evil.example.com${recordings}/${REC}.mp3`), 1e6, signal())).rejects.toThrow(MediaError);
    expect(seenAuth.length).toBe(before);
    await expect(adapter().fetchMedia!(ref('REoffsite'), 1e6, signal())).rejects.toThrow('refusing a redirect to 169.254.169.254');
  });
});
