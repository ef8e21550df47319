import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTwilioPeer, type TwilioPeer } from '../../../../channels/shared/twilio/peer/twilio-peer.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../peers/webhook-receiver.ts';

// The Twilio Messaging peer's own wire format, checked with plain HTTP (no adapter): auth, Twilio's error bodies,
// the Message resource, signed status callbacks and inbound posts, retries, STOP, and the sandbox control API.

let peer: TwilioPeer;
let hooks: WebhookReceiver;

beforeAll(async () => {
  peer = await startTwilioPeer();
  hooks = await startWebhookReceiver();
});
afterAll(async () => {
  await peer.close();
  await hooks.close();
});
beforeEach(() => {
  peer.sent.length = 0;
  peer.statusCallbacks.length = 0;
  hooks.requests.length = 0;
});

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

function create(params: Record<string, string | string[]>, auth = basic(peer.accountSid, peer.authToken), account = peer.accountSid) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) body.append(k, one);
  return fetch(`${peer.url}/2010-04-01/Accounts/${account}/Messages.json`, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
}

type Json = Record<string, unknown>;

/** The receiver's view of a form post, as validateRequest wants it. */
function formOf(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

describe('REST Messages.json', () => {
  it('answers 401 with Twilio’s body without valid Basic auth', async () => {
    for (const auth of ['', basic(peer.accountSid, 'wrong'), basic(`SK${'0'.repeat(32)}`, 'x')]) {
      const res = await create({ To: '+15551230001', From: '+14155550100', Body: 'hi' }, auth);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    }
    expect(peer.sent).toHaveLength(0);
  });

  it('creates a message and answers 201 with the Message resource', async () => {
    const res = await create({ To: '+15551230001', From: '+14155550100', Body: 'hi', StatusCallback: `${hooks.url}?o=m1` });
    expect(res.status).toBe(201);
    const json = (await res.json()) as Record<string, unknown>;
    expect(json).toMatchObject({
      account_sid: peer.accountSid,
      to: '+15551230001',
      from: '+14155550100',
      body: 'hi',
      status: 'queued',
      num_segments: '1',
      num_media: '0',
      error_code: null,
      error_message: null,
      price: null,
      api_version: '2010-04-01',
      messaging_service_sid: null,
      direction: 'outbound-api',
    });
    expect(json.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(json.uri).toBe(`/2010-04-01/Accounts/${peer.accountSid}/Messages/${json.sid}.json`);
    expect(json.date_created).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(peer.sent[0]).toMatchObject({ sid: json.sid, statusCallback: `${hooks.url}?o=m1`, mediaUrls: [] });
    await hooks.waitFor((r) => r.length >= 2, 3000); // its callbacks, before the next test looks at the receiver
  });

  it('counts segments like Twilio (GSM-7 vs UCS-2) and answers accepted for a Messaging Service', async () => {
    const long = (await (await create({ To: '+15551230001', From: '+14155550100', Body: 'a'.repeat(161) })).json()) as Json;
    expect(long.num_segments).toBe('2');
    const emoji = (await (await create({ To: '+15551230001', From: '+14155550100', Body: '👍'.repeat(36) })).json()) as Json;
    expect(emoji.num_segments).toBe('2');
    const service = await (await create({ To: '+15551230001', MessagingServiceSid: `MG${'1'.repeat(32)}`, Body: 'x' })).json();
    expect(service).toMatchObject({ status: 'accepted', from: null, messaging_service_sid: `MG${'1'.repeat(32)}` });
  });

  it.each([
    [{ From: '+14155550100', Body: 'x' }, 21604],
    [{ To: '+15551230001', Body: 'x' }, 21603],
    [{ To: '+15551230001', From: '+14155550100' }, 21602],
    [{ To: '+15551230001', From: '+14155550100', Body: 'x'.repeat(1601) }, 21617],
    [{ To: 'abc', From: '+14155550100', Body: 'x' }, 21211],
    [{ To: 'whatsapp:+15551230001', From: '+14155550100', Body: 'x' }, 63007],
    [{ To: '+15551230001', From: '+14155550100', MediaUrl: Array.from({ length: 11 }, (_, i) => `https://x.example/${i}`) }, 21623],
  ])('rejects %o with 400 code %i', async (params, code) => {
    const res = await create(params);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code, status: 400, more_info: `https://www.twilio.com/docs/errors/${code}` });
  });

  it('answers 404 for another account', async () => {
    const res = await create({ To: '+15551230001', From: '+14155550100', Body: 'x' }, undefined, `AC${'9'.repeat(32)}`);
    expect(res.status).toBe(404);
  });

  it('fails the next creates as scripted, with Retry-After', async () => {
    peer.failNext(2, { status: 429, code: 20429, message: 'Too Many Requests', retryAfter: 3 });
    for (let i = 0; i < 2; i++) {
      const res = await create({ To: '+15551230001', From: '+14155550100', Body: 'x' });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('3');
      expect(await res.json()).toMatchObject({ code: 20429, message: 'Too Many Requests' });
    }
    expect((await create({ To: '+15551230001', From: '+14155550100', Body: 'x' })).status).toBe(201);
  });

  it('waitForSent resolves at n and rejects on timeout', async () => {
    const waiting = peer.waitForSent(1, 2000);
    await create({ To: '+15551230001', From: '+14155550100', Body: 'x' });
    expect(await waiting).toHaveLength(1);
    await expect(peer.waitForSent(5, 50)).rejects.toThrow(/fewer than 5/);
  });
});

describe('status callbacks', () => {
  it('posts sent then delivered, signed over the exact StatusCallback URL', async () => {
    const callback = `${hooks.url}?o=msg_7`;
    const { sid } = (await (await create({ To: '+15551230001', From: '+14155550100', Body: 'x', StatusCallback: callback })).json()) as Json;
    const requests = await hooks.waitFor((r) => r.length >= 2, 3000);
    const forms = requests.map((r) => formOf(r.body));
    expect(forms.map((f) => f.MessageStatus)).toEqual(['sent', 'delivered']);
    for (const [i, form] of forms.entries()) {
      expect(form).toMatchObject({ MessageSid: sid, SmsSid: sid, SmsStatus: form.MessageStatus, AccountSid: peer.accountSid, From: '+14155550100', To: '+15551230001', ApiVersion: '2010-04-01' });
      expect(requests[i]!.path).toBe('/hooks?o=msg_7');
      expect(twilio.validateRequest(peer.authToken, requests[i]!.headers['x-twilio-signature']!, callback, form)).toBe(true);
      expect(twilio.validateRequest(peer.authToken, requests[i]!.headers['x-twilio-signature']!, hooks.url, form)).toBe(false);
    }
  });

  it('ends in the scripted outcome with its ErrorCode', async () => {
    peer.setStatusOutcome('+15551230002', { status: 'undelivered', errorCode: 30003 });
    await create({ To: '+15551230002', From: '+14155550100', Body: 'x', StatusCallback: hooks.url });
    const forms = (await hooks.waitFor((r) => r.length >= 2, 3000)).map((r) => formOf(r.body));
    expect(forms.map((f) => [f.MessageStatus, f.ErrorCode])).toEqual([
      ['sent', undefined],
      ['undelivered', '30003'],
    ]);
    expect(peer.statusCallbacks.map((c) => c.answer)).toEqual([200, 200]);
  });
});

describe('inbound', () => {
  it('posts Twilio’s params, signed, with the proxy headers', async () => {
    const result = await peer.sendInbound(hooks.url, { from: '+15551230003', to: '+14155550100', body: 'hello' });
    expect(result).toMatchObject({ status: 200, body: 'ok' });
    const [req] = hooks.requests;
    const form = formOf(req!.body);
    expect(form).toMatchObject({
      MessageSid: result.messageSid,
      SmsSid: result.messageSid,
      SmsMessageSid: result.messageSid,
      AccountSid: peer.accountSid,
      ApiVersion: '2010-04-01',
      SmsStatus: 'received',
      NumSegments: '1',
      NumMedia: '0',
      From: '+15551230003',
      To: '+14155550100',
      Body: 'hello',
      FromCountry: 'US',
    });
    expect(req!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req!.headers['user-agent']).toBe('TwilioProxy/1.1');
    expect(req!.headers['i-twilio-idempotency-token']).toBeTruthy();
    expect(twilio.validateRequest(peer.authToken, req!.headers['x-twilio-signature']!, hooks.url, form)).toBe(true);
  });

  it('re-delivers the same message for the same MessageSid, a new token for a new message', async () => {
    const first = await peer.sendInbound(hooks.url, { from: '+15551230003', to: '+14155550100', body: 'one' });
    await peer.sendInbound(hooks.url, { from: '+15551230003', to: '+14155550100', body: 'changed', messageSid: first.messageSid });
    await peer.sendInbound(hooks.url, { from: '+15551230003', to: '+14155550100', body: 'two' });
    const [a, b, c] = hooks.requests;
    expect(b!.body).toBe(a!.body);
    expect(b!.headers['i-twilio-idempotency-token']).toBe(a!.headers['i-twilio-idempotency-token']);
    expect(c!.headers['i-twilio-idempotency-token']).not.toBe(a!.headers['i-twilio-idempotency-token']);
  });

  it('WhatsApp messages carry the channel prefix, WaId and ProfileName', async () => {
    await peer.sendInbound(hooks.url, { from: '+5511987654321', to: '+14155238886', body: 'oi', whatsapp: { profileName: 'Ana' } });
    expect(formOf(hooks.requests[0]!.body)).toMatchObject({
      From: 'whatsapp:+5511987654321',
      To: 'whatsapp:+14155238886',
      WaId: '5511987654321',
      ProfileName: 'Ana',
      MessageType: 'text',
    });
  });

  it('STOP blocks SMS to the sender (21610) until START; WhatsApp STOP does not', async () => {
    await peer.sendInbound(hooks.url, { from: '+15551230004', to: '+14155550100', body: ' Stop ' });
    expect(peer.optedOut.has('+15551230004')).toBe(true);
    const blocked = await create({ To: '+15551230004', From: '+14155550100', Body: 'x' });
    expect(blocked.status).toBe(400);
    expect(await blocked.json()).toMatchObject({ code: 21610 });
    await peer.sendInbound(hooks.url, { from: '+15551230004', to: '+14155550100', body: 'START' });
    expect(peer.optedOut.has('+15551230004')).toBe(false);
    await peer.sendInbound(hooks.url, { from: 'whatsapp:+15551230005', to: 'whatsapp:+14155238886', body: 'STOP' });
    expect(peer.optedOut.has('+15551230005')).toBe(false);
  });

  it('serves media only with the account’s Basic auth', async () => {
    await peer.sendInbound(hooks.url, { from: '+15551230003', to: '+14155550100', media: [{ bytes: new Uint8Array([7, 7]), contentType: 'image/gif' }] });
    const url = formOf(hooks.requests[0]!.body).MediaUrl0!;
    expect(url).toMatch(new RegExp(`^${peer.url}/2010-04-01/Accounts/${peer.accountSid}/Messages/MM[0-9a-f]{32}/Media/ME[0-9a-f]{32}$`));
    expect((await fetch(url)).status).toBe(401);
    const ok = await fetch(url, { headers: { Authorization: basic(peer.accountSid, peer.authToken) } });
    expect(ok.headers.get('content-type')).toBe('image/gif');
    expect([...new Uint8Array(await ok.arrayBuffer())]).toEqual([7, 7]);
    const tampered = await fetch(`${peer.url}${new URL(ok.url).pathname}?Signature=guess`);
    expect(tampered.status).toBe(403);
  });

  it('postSigned can omit or fake the signature', async () => {
    await peer.postSigned(hooks.url, { A: '1' }, { signature: null });
    await peer.postSigned(hooks.url, { A: '1' }, { signature: 'fake' });
    expect(hooks.requests[0]!.headers['x-twilio-signature']).toBeUndefined();
    expect(hooks.requests[1]!.headers['x-twilio-signature']).toBe('fake');
  });
});

describe('sandbox control API', () => {
  it('POST /_sandbox/sms plays a customer text; GET /_sandbox/messages lists what was sent', async () => {
    const res = await fetch(`${peer.url}/_sandbox/sms`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ webhook_url: hooks.url, from: '+15551230006', to: '+14155550100', body: 'from curl' }),
    });
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer).toMatchObject({ status: 200, body: 'ok', message_sid: expect.stringMatching(/^SM/) });
    expect(formOf(hooks.requests[0]!.body).Body).toBe('from curl');

    await create({ To: '+15551230001', From: '+14155550100', Body: 'listed' });
    const list = await (await fetch(`${peer.url}/_sandbox/messages`)).json();
    expect(list).toMatchObject([{ body: 'listed', to: '+15551230001' }]);

    const bad = await fetch(`${peer.url}/_sandbox/sms`, { method: 'POST', body: '{"from":"+1"}' });
    expect(bad.status).toBe(400);
  });
});
