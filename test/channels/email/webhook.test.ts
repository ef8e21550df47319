import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emailConfigSchema } from '../../../channels/email/config.ts';
import { emailAdapter } from '../../../channels/email/index.ts';
import type { AdapterDeps, RawWebhook } from '../../../src/domain/model/adapter.ts';
import { WebhookAuthError } from '../../../src/errors.ts';
import { noAttachments } from '../../helpers/adapter-deps.ts';

// The raw-MIME webhook: a bearer token or an HMAC of the body bytes proves the relay; anything else is refused.
// Parsing answers 415 to a body that is not message/rfc822, and 200 {accepted:true} with the parsed mail.

const SECRET = 'a-long-webhook-secret-0123';
const deps: AdapterDeps = {
  fetch,
  now: () => new Date('2026-11-25T12:00:00Z'),
  publicUrl: 'https://switchboard.example',
  realtime: { toContact: async () => 0 }, loadAttachment: noAttachments,
};
const adapterWith = (extra: Record<string, unknown> = { webhook_secret: SECRET }) =>
  emailAdapter.create(emailConfigSchema.parse({ address: 'support@acme.example', smtp: { host: 'h' }, ...extra }), deps, { id: 'chan-mail', webhookUrls: {} });

// 8-bit (windows-1252) body bytes: the HMAC is over the bytes, not their UTF-8 reading.
const mime = Buffer.concat([
  Buffer.from('From: Dana <dana@customer.example>\r\nTo: support+tok1@acme.example\r\nSubject: Hi\r\nMessage-ID: <w1@customer.example>\r\nContent-Type: text/plain; charset=windows-1252\r\n\r\nCaf', 'latin1'),
  Buffer.from([0xe9]),
]);

function request(headers: Record<string, string>, bytes: Uint8Array = mime, subPath = 'mime'): RawWebhook {
  return {
    method: 'POST',
    url: `https://switchboard.example/webhooks/chan-mail/${subPath}`,
    subPath,
    headers: new Headers({ 'content-type': 'message/rfc822', ...headers }),
    body: Buffer.from(bytes).toString('utf8'),
    bytes,
    receivedAt: new Date(),
  };
}

const hmac = (secret: string, bytes: Uint8Array) => `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`;

describe('email webhook: verify', () => {
  it('accepts the bearer secret', async () => {
    await expect(adapterWith().verify(request({ authorization: `Bearer ${SECRET}` }))).resolves.toBeUndefined();
  });

  it('accepts an HMAC-SHA256 of the body bytes', async () => {
    await expect(adapterWith().verify(request({ 'x-switchboard-signature': hmac(SECRET, mime) }))).resolves.toBeUndefined();
  });

  it('refuses a wrong bearer, a wrong or stale HMAC, nothing at all, and other paths', async () => {
    const adapter = adapterWith();
    const tampered = Buffer.concat([mime, Buffer.from('!')]);
    const refused = [
      request({ authorization: `Bearer ${SECRET}x` }),
      request({ authorization: `Basic ${Buffer.from(`x:${SECRET}`).toString('base64')}` }),
      request({ 'x-switchboard-signature': hmac('another-secret-of-16+', mime) }),
      request({ 'x-switchboard-signature': hmac(SECRET, mime) }, tampered),
      request({}),
      request({ authorization: `Bearer ${SECRET}` }, mime, 'inbound'),
    ];
    for (const req of refused) {
      const err = await adapter.verify(req).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WebhookAuthError);
      expect((err as WebhookAuthError).status).toBe(401);
    }
  });

  it('refuses everything when the channel has no webhook_secret', async () => {
    const err = await adapterWith({}).verify(request({ authorization: 'Bearer ' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookAuthError);
  });
});

describe('email webhook: parse', () => {
  it('parses the raw bytes and acks 200', async () => {
    const outcome = await adapterWith().parse(request({}));
    expect(outcome.type).toBe('messages');
    if (outcome.type !== 'messages') return;
    expect(outcome.messages[0]).toMatchObject({ externalId: 'w1@customer.example', text: 'Café', threading: { replyToken: 'tok1' } });
    expect(outcome.ack?.status).toBe(200);
    expect(await outcome.ack?.json()).toEqual({ accepted: true });
  });

  it('answers 415 to anything but message/rfc822', async () => {
    const outcome = await adapterWith().parse(request({ 'content-type': 'application/json' }));
    expect(outcome.type).toBe('ignored');
    expect(outcome.type === 'ignored' && outcome.ack?.status).toBe(415);
    if (outcome.type === 'ignored') expect(await outcome.ack?.json()).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
  });

  it('parses mail from trusted transports with their envelope', async () => {
    const outcome = await adapterWith().parseMail!(mime, { transport: 'smtp', mailFrom: 'dana@customer.example', rcptTo: ['support@acme.example'] });
    expect(outcome.type === 'messages' && outcome.messages[0]?.channelId).toBe('chan-mail');
  });
});
