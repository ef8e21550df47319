import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { smsAdapter } from '../../../../channels/sms/index.ts';
import { whatsappTwilioAdapter } from '../../../../channels/whatsapp/twilio/index.ts';
import type { AdapterDeps, ChannelAdapter } from '../../../../src/domain/model/adapter.ts';
import type { OutboundMessage } from '../../../../src/domain/model/messages.ts';
import { DeliveryError } from '../../../../src/errors.ts';
import { startTwilioPeer, type TwilioPeer } from '../../../../channels/shared/twilio/peer/twilio-peer.ts';
import { noAttachments } from '../../../helpers/adapter-deps.ts';

// send() through the real twilio SDK against the Twilio peer: what reaches Twilio, and how every failure is
// classified for the dispatch worker (never / later / rate-limited).

const STATUS_URL = 'https://gw.example.com/webhooks/ch_1/status';
const channel = { id: 'ch_1', webhookUrls: { inbound: 'https://gw.example.com/webhooks/ch_1/inbound', status: STATUS_URL } };
const deps: AdapterDeps = { fetch: globalThis.fetch, now: () => new Date(), publicUrl: 'https://gw.example.com', realtime: { toContact: async () => 0 }, loadAttachment: noAttachments };
const TEMPLATE = `HX${'ab'.repeat(16)}`;

let peer: TwilioPeer;

beforeAll(async () => {
  // No callbacks: STATUS_URL is not a real server here (twilio-webhooks.test.ts covers them).
  peer = await startTwilioPeer({ autoStatus: false });
});
afterAll(() => peer.close());
beforeEach(() => {
  peer.sent.length = 0;
  peer.optedOut.clear();
});

function sms(extra: Record<string, unknown> = {}): ChannelAdapter {
  const cfg = smsAdapter.configSchema.parse({ account_sid: peer.accountSid, auth_token: peer.authToken, api_base_url: peer.url, from: '+14155550100', ...extra });
  return smsAdapter.create(cfg, deps, channel);
}

function whatsapp(extra: Record<string, unknown> = {}): ChannelAdapter {
  const cfg = whatsappTwilioAdapter.configSchema.parse({ account_sid: peer.accountSid, auth_token: peer.authToken, api_base_url: peer.url, from: '+14155238886', ...extra });
  return whatsappTwilioAdapter.create(cfg, deps, channel);
}

function message(over: Partial<OutboundMessage> = {}): OutboundMessage {
  return { messageId: 'msg_1', sessionId: 'ses_1', to: { address: '+15551230001' }, text: 'Your order shipped.', attachments: [], ...over };
}

const signal = () => new AbortController().signal;

async function failure(adapter: ChannelAdapter, msg = message()): Promise<DeliveryError> {
  const err = await adapter.send(msg, signal()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe('what reaches Twilio', () => {
  it('sends From/To/Body/MediaUrl/StatusCallback and returns the sid', async () => {
    const receipt = await sms().send(
      message({
        attachments: [
          { filename: 'a.png', contentType: 'image/png', url: 'https://cdn.example.com/a.png' },
          { filename: 'inline.txt', contentType: 'text/plain', base64: 'aGk=' },
          { filename: 'b.pdf', contentType: 'application/pdf', url: 'https://cdn.example.com/b.pdf' },
        ],
      }),
      signal(),
    );
    expect(receipt).toEqual({ externalId: expect.stringMatching(/^MM[0-9a-f]{32}$/), status: 'sent' });
    expect(peer.sent).toHaveLength(1);
    expect(peer.sent[0]).toMatchObject({
      sid: receipt.externalId,
      to: '+15551230001',
      from: '+14155550100',
      body: 'Your order shipped.',
      mediaUrls: ['https://cdn.example.com/a.png', 'https://cdn.example.com/b.pdf'],
      statusCallback: `${STATUS_URL}?o=msg_1`,
    });
  });

  it('sends through a Messaging Service instead of a number', async () => {
    await sms({ from: undefined, messaging_service_sid: `MG${'12'.repeat(16)}` }).send(message(), signal());
    expect(peer.sent[0]).toMatchObject({ from: '', messagingServiceSid: `MG${'12'.repeat(16)}` });
  });

  it('authenticates with the API key when one is configured (the token may even be wrong)', async () => {
    const key = peer.addApiKey();
    await sms({ api_key_sid: key.sid, api_key_secret: key.secret, auth_token: '0'.repeat(32) }).send(message(), signal());
    expect(peer.sent).toHaveLength(1);
  });

  it('refuses bad credentials as a permanent failure carrying 20003', async () => {
    const err = await failure(sms({ auth_token: '0'.repeat(32) }));
    expect(err.retry).toBe('never');
    expect(err.extra.providerCode).toBe('20003');
  });

  it('prefixes WhatsApp recipients and the bare sender', async () => {
    await whatsapp().send(message({ to: { address: '+5511987654321' } }), signal());
    expect(peer.sent[0]).toMatchObject({ to: 'whatsapp:+5511987654321', from: 'whatsapp:+14155238886', body: 'Your order shipped.' });
  });
});

describe('WhatsApp outside the 24-hour window', () => {
  it('sends the fallback template with the contact name and no body', async () => {
    const wa = whatsapp({ fallback_template: { content_sid: TEMPLATE } });
    await wa.send(message({ windowClosed: true, to: { address: '+5511987654321', name: 'Ana' } }), signal());
    expect(peer.sent[0]).toMatchObject({ contentSid: TEMPLATE, contentVariables: '{"1":"Ana"}', body: '', mediaUrls: [] });
    await wa.send(message({ windowClosed: true, to: { address: '+5511987654321' } }), signal());
    expect(peer.sent[1]!.contentVariables).toBe('{"1":"there"}');
  });

  it('uses the configured template variables', async () => {
    await whatsapp({ fallback_template: { content_sid: TEMPLATE, variables: { 1: 'friend', 2: 'Acme' } } }).send(message({ windowClosed: true }), signal());
    expect(JSON.parse(peer.sent[0]!.contentVariables!)).toEqual({ 1: 'friend', 2: 'Acme' });
  });

  it('without a template fails window_closed (63016) and sends nothing', async () => {
    const err = await failure(whatsapp(), message({ windowClosed: true }));
    expect(err.retry).toBe('never');
    expect(err.message).toMatch(/^window_closed: /);
    expect(err.extra.providerCode).toBe('63016');
    expect(peer.sent).toHaveLength(0);
  });

  it('means nothing to SMS, which has no window', async () => {
    await sms().send(message({ windowClosed: true }), signal());
    expect(peer.sent[0]!.body).toBe('Your order shipped.');
  });
});

describe('failure classification', () => {
  it('429 with Retry-After is rate-limited for that long', async () => {
    peer.failNext(1, { status: 429, code: 20429, message: 'Too Many Requests', retryAfter: 7 });
    const err = await failure(sms());
    expect(err).toMatchObject({ retry: 'rate-limited', extra: { retryAfterMs: 7000, providerCode: '20429' } });
  });

  it('429 without Retry-After waits a second; 63018 (WhatsApp rate) is rate-limited too', async () => {
    peer.failNext(1, { status: 429, code: 20429, message: 'Too Many Requests' });
    expect((await failure(sms())).extra.retryAfterMs).toBe(1000);
    peer.failNext(1, { status: 400, code: 63018, message: 'Rate limit exceeded for Channel' });
    expect((await failure(whatsapp())).retry).toBe('rate-limited');
  });

  it('5xx is retried later', async () => {
    peer.failNext(1, { status: 500, code: 20500, message: 'Internal Server Error' });
    expect(await failure(sms())).toMatchObject({ retry: 'later', extra: { providerCode: '20500' } });
    expect(peer.sent).toHaveLength(0);
    await sms().send(message(), signal());
    expect(peer.sent).toHaveLength(1);
  });

  it('21610 (recipient texted STOP) is never retried and marks the recipient opted out', async () => {
    peer.optedOut.add('+15551230001');
    const err = await failure(sms());
    expect(err.retry).toBe('never');
    expect(err.message).toMatch(/^opted_out: /);
    expect(err.extra).toMatchObject({ providerCode: '21610', recipientOptedOut: true });
  });

  it('21211 (invalid number) is an invalid recipient', async () => {
    const err = await failure(sms(), message({ to: { address: '555-CALL-NOW' } }));
    expect(err).toMatchObject({ retry: 'never', extra: { providerCode: '21211' } });
    expect(err.message).toMatch(/^invalid_recipient: /);
    expect(err.extra.recipientOptedOut).toBeUndefined();
  });

  it.each([21614, 21408, 63024, 63003])('%i is an invalid recipient', async (code) => {
    peer.failNext(1, { status: 400, code, message: 'nope' });
    expect((await failure(sms())).message).toBe('invalid_recipient: nope');
  });

  it('another 4xx fails for good with Twilio’s message', async () => {
    const err = await failure(sms(), message({ text: 'x'.repeat(1601) }));
    expect(err).toMatchObject({ retry: 'never', extra: { providerCode: '21617' } });
    expect(err.message).toContain('1600 character limit');
  });

  it('an unreachable API is retried later', async () => {
    const closed = await startTwilioPeer();
    const url = closed.url;
    await closed.close();
    const err = await failure(sms({ api_base_url: url }));
    expect(err.retry).toBe('later');
    expect(err.extra.providerCode).toBeUndefined();
  });
});

describe('abort', () => {
  let hanging: Server;
  let hangingUrl: string;
  beforeAll(async () => {
    hanging = createServer(() => {}); // accepts and never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    hanging.closeAllConnections();
    hanging.close();
  });

  it('an already-aborted send is retried later and reaches nobody', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await sms().send(message(), controller.signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ retry: 'later' });
    expect(peer.sent).toHaveLength(0);
  });

  it('aborting mid-request stops waiting at once', async () => {
    const started = Date.now();
    const err = await sms({ api_base_url: hangingUrl }).send(message(), AbortSignal.timeout(100)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).retry).toBe('later');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
