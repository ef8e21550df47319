import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import twilio from 'twilio';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// The provider ingress with authentic (correctly signed) but hostile input: random Twilio form params for SMS,
// WhatsApp and voice, random JSON for Meta, random sub-paths and methods. Never a 5xx: an authentic request we
// cannot use is acknowledged (2xx, else the provider retries it for days) or refused with a 4xx ErrorDto.

const ACCOUNT = 'AC' + 'b'.repeat(32);
const TOKEN = 'fuzz-auth-token';
const APP_SECRET = 'fuzz-app-secret';
const RUNS = 300;
let t: TestApp;
const url: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  const create = async (body: Record<string, unknown>) => {
    const res = await t.json('POST', '/channels', body);
    expect(res.status).toBe(201);
    return res.body as { id: string; webhook_urls: Record<string, string> };
  };
  const twilioConfig = { account_sid: ACCOUNT, auth_token: TOKEN, api_base_url: 'http://127.0.0.1:9' };
  url.sms = (await create({ type: 'sms', name: 'S', config: { ...twilioConfig, from: '+14155550100' } })).webhook_urls.inbound!;
  url.smsStatus = url.sms.replace(/inbound$/, 'status');
  url.wa = (await create({ type: 'whatsapp', name: 'W', config: { ...twilioConfig, from: 'whatsapp:+14155550101' } })).webhook_urls.inbound!;
  const phone = await create({ type: 'phone', name: 'P', config: { ...twilioConfig, from: '+14155550102' } });
  url.voice = phone.webhook_urls.voice!;
  url.voiceStatus = phone.webhook_urls.status!;
  url.meta = (
    await create({
      type: 'whatsapp',
      provider: 'meta',
      name: 'M',
      config: { phone_number_id: '1065', access_token: 'tok', app_secret: APP_SECRET, verify_token: 'vt', api_base_url: 'http://127.0.0.1:9' },
    })
  ).webhook_urls.inbound!;
});
afterAll(() => t?.close());

const path = (absolute: string) => absolute.replace('https://switchboard.test', '');
const param = fc.oneof(fc.string(), fc.constantFrom('', 'STOP', 'HELP', '0', '-1', '99999999', 'whatsapp:+1', 'null', '😀'.repeat(50)));
const names = fc.constantFrom('MessageSid', 'From', 'To', 'Body', 'NumMedia', 'MediaUrl0', 'MediaContentType0', 'MessageStatus', 'ErrorCode', 'CallSid', 'CallStatus', 'SpeechResult', 'Latitude', 'Longitude', 'RecordingSid', 'RecordingUrl', 'DialCallStatus', 'ProfileName', 'OptOutType', 'x');
const formParams = fc.dictionary(names, param, { maxKeys: 12 });

async function postTwilio(absolute: string, params: Record<string, string>) {
  const signature = twilio.getExpectedTwilioSignature(TOKEN, absolute, params);
  return t.app.request(path(absolute), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
}

async function expectNo5xx(res: Response, what: unknown) {
  const text = await res.text();
  expect(res.status, `${res.status} for ${JSON.stringify(what).slice(0, 400)}: ${text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) expect(JSON.parse(text)).toMatchObject({ statusCode: res.status, message: expect.any(String) });
}

it('never answers a signed Twilio webhook with a 5xx, whatever its params', async () => {
  const targets = fc.constantFrom('sms', 'smsStatus', 'wa', 'voice', 'voiceStatus', 'voiceTurn', 'voiceWait', 'recording', 'transfer');
  await fc.assert(
    fc.asyncProperty(targets, formParams, async (target, params) => {
      const absolute =
        target === 'voiceTurn' ? `${url.voice}?t=${(params.x ?? '1').length}` :
        target === 'voiceWait' ? `${url.voice}?t=1&wait=2` :
        target === 'recording' ? url.voice!.replace(/voice$/, 'recording') :
        target === 'transfer' ? url.voice!.replace(/voice$/, 'transfer') :
        url[target]!;
      await expectNo5xx(await postTwilio(absolute, params), { target, params });
    }),
    { numRuns: RUNS },
  );
}, 120_000);

it('never answers a signed Meta webhook with a 5xx, whatever its JSON', async () => {
  const message = fc.record({ from: fc.oneof(fc.string(), fc.constant('5511987654321')), id: fc.string(), type: fc.constantFrom('text', 'image', 'location', 'reaction', 'zzz'), text: fc.anything(), image: fc.anything(), location: fc.anything(), timestamp: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] });
  const value = fc.record({ metadata: fc.record({ phone_number_id: fc.constantFrom('1065', 'other') }), messages: fc.array(message, { maxLength: 3 }), statuses: fc.array(fc.anything(), { maxLength: 2 }), contacts: fc.anything() }, { requiredKeys: [] });
  const body = fc.oneof(
    fc.json(),
    fc.record({ object: fc.constant('whatsapp_business_account'), entry: fc.array(fc.record({ id: fc.string(), changes: fc.array(fc.record({ field: fc.constant('messages'), value }), { maxLength: 2 }) }), { maxLength: 2 }) }).map((o) => JSON.stringify(o)),
  );
  await fc.assert(
    fc.asyncProperty(body, async (raw) => {
      const signature = `sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}`;
      const res = await t.app.request(path(url.meta!), { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body: raw });
      await expectNo5xx(res, raw);
    }),
    { numRuns: RUNS },
  );
}, 120_000);

it('answers unknown channels, sub-paths and methods with a 4xx', async () => {
  for (const [method, p] of [
    ['POST', '/webhooks/not-a-uuid/inbound'],
    ['POST', '/webhooks/00000000-0000-4000-8000-000000000000/inbound'],
    ['GET', path(url.sms!)],
    ['PUT', path(url.sms!).replace(/inbound$/, 'nope/deeper')],
  ] as const) {
    const res = await t.app.request(p, { method });
    expect(res.status, `${method} ${p}`).toBeGreaterThanOrEqual(400);
    await expectNo5xx(res, p);
  }
});
