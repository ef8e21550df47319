import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsAdapter } from '../../../../channels/sms/index.ts';
import { whatsappTwilioAdapter } from '../../../../channels/whatsapp/twilio/index.ts';
import type { AdapterDeps, ChannelAdapter, ParseOutcome, RawWebhook } from '../../../../src/domain/model/adapter.ts';
import type { InboundMessage } from '../../../../src/domain/model/messages.ts';
import { WebhookAuthError } from '../../../../src/errors.ts';
import { startTwilioPeer, type TwilioPeer } from '../../../../channels/shared/twilio/peer/twilio-peer.ts';
import { noAttachments } from '../../../helpers/adapter-deps.ts';

// Signed webhooks from the Twilio peer, over real HTTP, into a minimal gateway that does what the ingress route
// does (verify, then parse, answer the adapter's ack): inbound SMS/MMS/WhatsApp, keywords, status callbacks.

const NOW = new Date('2026-11-24T10:00:00Z');
const ACK = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const SMS_NUMBER = '+14155550100';
const WA_NUMBER = '+14155238886';

interface Gateway {
  url: string;
  outcomes: ParseOutcome[];
  headers: IncomingHttpHeaders[];
  use(adapter: ChannelAdapter): void;
  close(): Promise<void>;
}

async function startGateway(): Promise<Gateway> {
  let adapter: ChannelAdapter | undefined;
  const outcomes: ParseOutcome[] = [];
  const headers: IncomingHttpHeaders[] = [];
  let base = '';
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    headers.push(req.headers);
    const url = base + (req.url ?? '/');
    const raw: RawWebhook = {
      method: req.method ?? 'POST',
      url,
      subPath: new URL(url).pathname.split('/').pop() ?? '',
      headers: new Headers(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body: Buffer.concat(chunks).toString('utf8'),
      receivedAt: new Date(),
    };
    try {
      await adapter!.verify(raw);
    } catch (err) {
      if (!(err instanceof WebhookAuthError)) throw err;
      res.writeHead(err.status).end(err.message);
      return;
    }
    const outcome = await adapter!.parse(raw);
    outcomes.push(outcome);
    const ack = ('ack' in outcome && outcome.ack) || new Response('');
    res.writeHead(ack.status, Object.fromEntries(ack.headers)).end(await ack.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    outcomes,
    headers,
    use: (a) => {
      adapter = a;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let peer: TwilioPeer;
let gw: Gateway;
let sms: ChannelAdapter;
let wa: ChannelAdapter;
let inboundUrl: string;
let statusUrl: string;

const deps: AdapterDeps = {
  fetch: globalThis.fetch,
  now: () => NOW,
  publicUrl: 'http://unused',
  realtime: { toContact: async () => 0 }, loadAttachment: noAttachments,
};

beforeAll(async () => {
  peer = await startTwilioPeer();
  gw = await startGateway();
  inboundUrl = `${gw.url}/webhooks/ch_tw/inbound`;
  statusUrl = `${gw.url}/webhooks/ch_tw/status`;
  const channel = { id: 'ch_tw', webhookUrls: { inbound: inboundUrl, status: statusUrl } };
  const common = { account_sid: peer.accountSid, auth_token: peer.authToken, api_base_url: peer.url };
  sms = smsAdapter.create(
    smsAdapter.configSchema.parse({ ...common, from: SMS_NUMBER, help_text: 'Text AGENT for a person.' }),
    deps,
    channel,
  );
  wa = whatsappTwilioAdapter.create(whatsappTwilioAdapter.configSchema.parse({ ...common, from: WA_NUMBER }), deps, channel);
  gw.use(sms);
});

afterAll(async () => {
  await peer.close();
  await gw.close();
});

function lastMessage(): InboundMessage {
  const outcome = gw.outcomes.at(-1);
  if (outcome?.type !== 'messages') throw new Error(`expected messages, got ${outcome?.type}`);
  expect(outcome.messages).toHaveLength(1);
  return outcome.messages[0]!;
}

async function inboundSms(body: string) {
  const result = await peer.sendInbound(inboundUrl, { from: '+15551230001', to: SMS_NUMBER, body });
  expect(result.status).toBe(200);
  return lastMessage();
}

describe('inbound SMS and MMS', () => {
  it('parses a signed text into one message and answers empty TwiML', async () => {
    const result = await peer.sendInbound(inboundUrl, { from: '+15551230001', to: SMS_NUMBER, body: 'Hello there ✓' });
    expect(result).toMatchObject({ status: 200, body: ACK });
    const outcome = gw.outcomes.at(-1)!;
    expect(outcome.type === 'messages' && outcome.ack?.headers.get('content-type')).toBe('text/xml');
    const msg = lastMessage();
    expect(msg).toMatchObject({
      channel: 'sms',
      channelId: 'ch_tw',
      externalId: result.messageSid,
      from: { address: '+15551230001', phone: '+15551230001' },
      text: 'Hello there ✓',
      attachments: [],
      sentAt: NOW,
    });
    expect(msg.from.name).toBeUndefined();
    expect(msg.control).toBeUndefined();
    expect(msg.raw).toMatchObject({ AccountSid: peer.accountSid, SmsStatus: 'received', FromCountry: 'US' });
  });

  it('lists MMS media as attachments named after their Media SID', async () => {
    const result = await peer.sendInbound(inboundUrl, {
      from: '+15551230001',
      to: SMS_NUMBER,
      body: 'receipt',
      media: [
        { bytes: new Uint8Array([1, 2, 3]), contentType: 'image/jpeg' },
        { bytes: new Uint8Array([4]), contentType: 'application/pdf' },
      ],
    });
    expect(result.messageSid).toMatch(/^MM[0-9a-f]{32}$/);
    const msg = lastMessage();
    const raw = msg.raw as Record<string, string>;
    expect(msg.attachments).toHaveLength(2);
    const [first, second] = msg.attachments;
    expect(first).toEqual({ filename: `${raw.MediaUrl0!.split('/').pop()}.jpg`, contentType: 'image/jpeg', url: raw.MediaUrl0 });
    expect(first!.filename).toMatch(/^ME[0-9a-f]{32}\.jpg$/);
    expect(first!.url).toContain(`/Messages/${result.messageSid}/Media/`);
    expect(second).toMatchObject({ contentType: 'application/pdf', url: raw.MediaUrl1 });
    expect(second!.filename).toMatch(/\.pdf$/);
  });

  it('delivers a retry (same MessageSid) with the same idempotency token and the same externalId', async () => {
    const first = await peer.sendInbound(inboundUrl, { from: '+15551230001', to: SMS_NUMBER, body: 'twice' });
    const token = gw.headers.at(-1)!['i-twilio-idempotency-token'];
    const again = await peer.sendInbound(inboundUrl, { from: '+15551230001', to: SMS_NUMBER, body: 'ignored', messageSid: first.messageSid });
    expect(again.status).toBe(200);
    expect(gw.headers.at(-1)!['i-twilio-idempotency-token']).toBe(token);
    expect(gw.headers.at(-1)!['user-agent']).toBe('TwilioProxy/1.1');
    expect(lastMessage()).toMatchObject({ externalId: first.messageSid, text: 'twice' });
  });
});

describe('signatures', () => {
  const params = () => ({ MessageSid: `SM${'0'.repeat(32)}`, From: '+15551230001', To: SMS_NUMBER, Body: 'hi', AccountSid: peer.accountSid });

  it.each([
    ['a wrong signature', () => 'bm90IGEgc2lnbmF0dXJl'],
    ['no signature header', () => null],
    ['a signature for another URL', () => twilio.getExpectedTwilioSignature(peer.authToken, 'https://other.example/inbound', params())],
    ['a signature with another token', () => twilio.getExpectedTwilioSignature('0'.repeat(32), inboundUrl, params())],
  ])('answers 403 and parses nothing for %s', async (_what, signature) => {
    const before = gw.outcomes.length;
    const res = await peer.postSigned(inboundUrl, params(), { signature: signature() });
    expect(res.status).toBe(403);
    expect(gw.outcomes.length).toBe(before);
  });

  it('throws WebhookAuthError with status 403 from verify', async () => {
    const req: RawWebhook = {
      method: 'POST',
      url: inboundUrl,
      subPath: 'inbound',
      headers: new Headers({ 'x-twilio-signature': 'nope' }),
      body: 'Body=hi',
      receivedAt: NOW,
    };
    const err = await sms.verify(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookAuthError);
    expect((err as WebhookAuthError).status).toBe(403);
    const missing = await sms.verify({ ...req, headers: new Headers() }).catch((e: unknown) => e);
    expect((missing as WebhookAuthError).status).toBe(403);
  });

  it('accepts the same params when they are signed right (the test above can fail)', async () => {
    const res = await peer.postSigned(inboundUrl, params());
    expect(res.status).toBe(200);
  });
});

describe('keywords', () => {
  it.each([
    ['STOP', 'opt_out'],
    ['  stop ', 'opt_out'],
    ['Unsubscribe', 'opt_out'],
    ['cancel', 'opt_out'],
    ['QUIT', 'opt_out'],
    ['start', 'opt_in'],
    ['UNSTOP', 'opt_in'],
    ['help', 'help'],
    ['Info', 'help'],
    ['stop please', undefined],
    ['yes', undefined],
    ['Can you help?', undefined],
  ])('%j → %s', async (body, control) => {
    const msg = await inboundSms(body);
    expect(msg.control).toBe(control);
    expect(msg.autoReply).toBe(control === 'help' ? 'Text AGENT for a person.' : undefined);
    expect(msg.text).toBe(body);
  });

  it("honours Twilio's OptOutType over the body", async () => {
    const params = { MessageSid: `SM${'1'.repeat(32)}`, From: '+15551230002', To: SMS_NUMBER, Body: 'please stop texting me' };
    await peer.postSigned(inboundUrl, { ...params, OptOutType: 'STOP' });
    expect(lastMessage().control).toBe('opt_out');
    await peer.postSigned(inboundUrl, { ...params, Body: 'yes', OptOutType: 'START' });
    expect(lastMessage().control).toBe('opt_in');
  });
});

describe('inbound WhatsApp', () => {
  beforeAll(() => gw.use(wa));
  afterAll(() => gw.use(sms));

  it('strips the whatsapp: prefix and keeps the ProfileName', async () => {
    const result = await peer.sendInbound(inboundUrl, {
      from: 'whatsapp:+5511987654321',
      to: `whatsapp:${WA_NUMBER}`,
      body: 'Segue o comprovante 🧾',
      whatsapp: { profileName: 'Ana Souza' },
    });
    expect(result.status).toBe(200);
    expect(lastMessage()).toMatchObject({
      channel: 'whatsapp',
      externalId: result.messageSid,
      from: { address: '+5511987654321', phone: '+5511987654321', name: 'Ana Souza' },
      text: 'Segue o comprovante 🧾',
    });
    expect((lastMessage().raw as Record<string, string>).WaId).toBe('5511987654321');
  });

  it('turns a location pin into text with a maps link', async () => {
    await peer.sendInbound(inboundUrl, {
      from: '+5511987654321',
      to: WA_NUMBER,
      whatsapp: { location: { latitude: -23.5505, longitude: -46.6333, label: 'Loja Centro', address: 'Praça da Sé, São Paulo' } },
    });
    expect(lastMessage().text).toBe(
      '📍 Loja Centro, Praça da Sé, São Paulo (-23.5505, -46.6333)\nhttps://maps.google.com/?q=-23.5505%2C-46.6333',
    );
  });

  it('uses ButtonText when a quick reply has no Body', async () => {
    await peer.sendInbound(inboundUrl, { from: '+5511987654321', to: WA_NUMBER, whatsapp: { buttonText: 'Talk to sales', buttonPayload: 'sales' } });
    expect(lastMessage().text).toBe('Talk to sales');
  });
});

describe('status callbacks', () => {
  const sid = `SM${'2'.repeat(32)}`;
  const post = (status: string, extra: Record<string, string> = {}, query = '?o=msg_42') =>
    peer.postSigned(statusUrl + query, { MessageSid: sid, SmsSid: sid, MessageStatus: status, SmsStatus: status, ...extra });

  it.each([
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'read'],
    ['undelivered', 'undelivered'],
    ['failed', 'failed'],
    ['canceled', 'failed'],
  ])('maps %s to %s with our message id from ?o=', async (twilioStatus, status) => {
    const res = await post(twilioStatus);
    expect(res).toEqual({ status: 200, body: ACK });
    expect(gw.outcomes.at(-1)).toMatchObject({ type: 'status', updates: [{ externalId: sid, messageId: 'msg_42', status }] });
  });

  it.each(['accepted', 'scheduled', 'queued', 'sending', 'receiving', 'received', 'partially_delivered'])(
    'ignores %s, still acknowledging',
    async (twilioStatus) => {
      expect((await post(twilioStatus)).body).toBe(ACK);
      expect(gw.outcomes.at(-1)?.type).toBe('ignored');
    },
  );

  it.each([
    ['undelivered', '30003', 'undelivered: '],
    ['failed', '63016', 'window_closed: WhatsApp replies outside the 24-hour window need an approved template'],
    ['failed', '21610', 'opted_out: '],
    ['failed', '12345', 'provider error 12345'],
  ])('explains %s ErrorCode %s', async (twilioStatus, code, error) => {
    await post(twilioStatus, { ErrorCode: code });
    const outcome = gw.outcomes.at(-1);
    if (outcome?.type !== 'status') throw new Error('expected a status outcome');
    expect(outcome.updates[0]).toMatchObject({ providerCode: code });
    expect(outcome.updates[0]!.error!.startsWith(error)).toBe(true);
  });

  it('leaves messageId out when the callback URL has no ?o=', async () => {
    await post('delivered', {}, '');
    const outcome = gw.outcomes.at(-1);
    expect(outcome).toMatchObject({ type: 'status' });
    expect(outcome?.type === 'status' && outcome.updates[0]!.messageId).toBeUndefined();
  });

  it('ignores an unknown sub-path with an ack', async () => {
    const res = await peer.postSigned(`${gw.url}/webhooks/ch_tw/other`, { MessageSid: sid });
    expect(res).toEqual({ status: 200, body: ACK });
    expect(gw.outcomes.at(-1)).toMatchObject({ type: 'ignored' });
  });
});

describe('send → peer → signed status callbacks → parse', () => {
  const updatesFor = (messageId: string) =>
    gw.outcomes.flatMap((o) => (o.type === 'status' ? o.updates : [])).filter((u) => u.messageId === messageId);
  const waitForUpdates = async (messageId: string, n: number) => {
    for (let i = 0; i < 100 && updatesFor(messageId).length < n; i++) await new Promise((r) => setTimeout(r, 20));
    return updatesFor(messageId);
  };
  const outbound = (messageId: string, to: string) => ({ messageId, sessionId: 's1', to: { address: to }, text: 'Hi!', attachments: [] });

  it('reports sent then delivered for our message id', async () => {
    const receipt = await sms.send(outbound('msg_e2e_1', '+15551239999'), new AbortController().signal);
    const updates = await waitForUpdates('msg_e2e_1', 2);
    expect(updates.map((u) => [u.externalId, u.status])).toEqual([
      [receipt.externalId, 'sent'],
      [receipt.externalId, 'delivered'],
    ]);
  });

  it('reports undelivered 30003 when the handset is unreachable', async () => {
    peer.setStatusOutcome('+15551238888', { status: 'undelivered', errorCode: 30003 });
    await sms.send(outbound('msg_e2e_2', '+15551238888'), new AbortController().signal);
    const updates = await waitForUpdates('msg_e2e_2', 2);
    expect(updates[1]).toMatchObject({ status: 'undelivered', providerCode: '30003' });
    expect(updates[1]!.error).toMatch(/^undelivered: /);
  });

  it('reports window_closed (63016) for WhatsApp free text to a silent customer, delivered after they write', async () => {
    gw.use(wa);
    try {
      await wa.send(outbound('msg_e2e_3', '+5511900000001'), new AbortController().signal);
      expect(await waitForUpdates('msg_e2e_3', 1)).toMatchObject([{ status: 'failed', providerCode: '63016' }]);
      await peer.sendInbound(inboundUrl, { from: 'whatsapp:+5511900000001', to: `whatsapp:${WA_NUMBER}`, body: 'oi' });
      await wa.send(outbound('msg_e2e_4', '+5511900000001'), new AbortController().signal);
      expect((await waitForUpdates('msg_e2e_4', 2)).map((u) => u.status)).toEqual(['sent', 'delivered']);
    } finally {
      gw.use(sms);
    }
  });
});
