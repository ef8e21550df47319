import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { agents, messages } from '../../../src/db/schema/index.ts';
import { ScriptedCall } from '../../../channels/phone/peer/voice-caller.ts';
import { startProviderApp, type ProviderApp } from '../../helpers/provider-app.ts';

// A phone call end to end: a scripted caller plays Twilio's side (signed voice webhooks, following the TwiML it
// gets back) against the real server; the AI's replies are spoken back in the same call.

const ACCOUNT = 'AC' + '1'.repeat(32);
const TOKEN = 'phone-test-auth-token';
const LINE = '+18005550100';
let p: ProviderApp;
let channel: Awaited<ReturnType<ProviderApp['createChannel']>>;

beforeAll(async () => {
  p = await startProviderApp({ VOICE_REPLY_WAIT_MS: '5000' });
  channel = await p.createChannel({
    type: 'phone',
    name: 'Support line',
    config: { account_sid: ACCOUNT, auth_token: TOKEN, from: LINE, greeting: 'Hi, this is Acme support. How can I help?' },
  });
  const agent = await p.t.json('POST', '/agents', { name: 'Grace', email: 'grace@example.com', availability: 'online', phone_number: '+14155550199' });
  expect(agent.status).toBe(201);
  expect(agent.body.phone_number).toBe('+14155550199');
});
afterAll(async () => {
  await p?.close();
});

const call = (from: string) =>
  new ScriptedCall({ voiceUrl: channel.webhook_urls.voice!, statusUrl: channel.webhook_urls.status!, accountSid: ACCOUNT, authToken: TOKEN, from, to: LINE });
const transcript = async (sessionId: string) =>
  (await p.t.database.db.select().from(messages).where(eq(messages.sessionId, sessionId)).orderBy(messages.seq))
    .filter((m) => m.eventType === 'message')
    .map((m) => `${m.sender}: ${m.text}`);

it('creates a phone channel (type `phone`) with its voice and status URLs', () => {
  expect(channel.type).toBe('phone_voice');
  expect(channel.webhook_urls.voice).toBe(`${p.publicUrl}/webhooks/${channel.id}/voice`);
  expect(channel.webhook_urls.status).toBe(`${p.publicUrl}/webhooks/${channel.id}/status`);
  expect(channel.secrets_set).toEqual(['auth_token']);
});

it('greets, answers each utterance in the call, transfers to the agent on handoff, and summarizes after the hang-up', async () => {
  const c = call('+14155550142');
  const start = await c.start();
  expect(start.status).toBe(200);
  expect(start.says).toEqual(['Hi, this is Acme support. How can I help?']);
  expect(start.gather?.input).toBe('speech');
  expect(start.gather?.action).toBe(`${channel.webhook_urls.voice}?t=1`);

  const first = await c.say('How long do I have to get a refund?');
  expect(first.status).toBe(200);
  expect(first.says.join(' ')).toMatch(/30 days/);
  expect(first.gather?.action).toBe(`${channel.webhook_urls.voice}?t=2`);

  const second = await c.say('I want to talk to a human please');
  expect(second.dial?.number).toBe('+14155550199');
  expect(second.dial?.callerId).toBe(LINE);

  const [utterance] = await p.t.database.db.select().from(messages).where(eq(messages.externalId, `${c.callSid}:1`));
  const sessionId = utterance!.sessionId;
  const lines = await transcript(sessionId);
  expect(lines[0]).toBe('ai: Hi, this is Acme support. How can I help?');
  expect(lines).toContain('contact: How long do I have to get a refund?');
  expect(lines).toContain('contact: I want to talk to a human please');
  expect(lines.some((l) => /^ai: .*30 days/.test(l))).toBe(true);

  expect((await c.hangup('completed')).status).toBe(200);
  await expect
    .poll(async () => (await p.t.json('GET', `/chat/sessions/${sessionId}`)).body, { timeout: 15_000 })
    .toMatchObject({ status: 'closed_resolved', summary: expect.any(String) });
});

it('refuses an unsigned call webhook with 403', async () => {
  const res = await fetch(channel.webhook_urls.voice!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ CallSid: 'CA' + 'f'.repeat(32), From: '+14155550000', To: LINE, CallStatus: 'ringing' }),
  });
  expect(res.status).toBe(403);
});

it('holds the line while no reply is ready, and speaks the late reply in the next answer', async () => {
  await p.t.database.db.update(agents).set({ availability: 'offline' });
  await p.workers!.close();
  p.workers = undefined;
  expect((await p.t.json('PATCH', `/channels/${channel.id}`, { config: { max_wait_redirects: 1 } })).status).toBe(200);
  const c = call('+14155550143');
  await c.start();
  // No workers: the webhook waits its bound, then holds the call and comes back, until it gives up politely.
  const held = await c.say('How long does shipping take?');
  expect(held.trail.join('\n')).toMatch(/<Pause/);
  expect(held.trail.join('\n')).toMatch(/wait=1/);
  expect(held.gather).toBeDefined();
  p.startWorkers();
  const next = await c.say('Hello?');
  expect(next.says.join(' ')).toMatch(/2 business days|ship/i);
  await c.hangup('completed');
}, 60_000);

it('records the call when the channel says so, and stores the recording as an attachment of the session', async () => {
  const mp3 = Buffer.from('ID3 fake mp3 bytes for the test '.repeat(20));
  const recordingSid = 'RE' + 'a'.repeat(32);
  // Twilio's REST API for the recording: HTTP Basic with the account's credentials.
  const api = createServer((req, res) => {
    const auth = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;
    if (req.headers.authorization !== auth) return void res.writeHead(401).end();
    if (req.url !== `/2010-04-01/Accounts/${ACCOUNT}/Recordings/${recordingSid}.mp3`) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': String(mp3.length) }).end(mp3);
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  try {
    const recorded = await p.createChannel({ type: 'phone', name: 'Recorded line', config: { account_sid: ACCOUNT, auth_token: TOKEN, from: '+18005550101', record: true, api_base_url: apiUrl } });
    const c = new ScriptedCall({ voiceUrl: recorded.webhook_urls.voice!, statusUrl: recorded.webhook_urls.status!, accountSid: ACCOUNT, authToken: TOKEN, from: '+14155550144', to: '+18005550101' });
    const first = await c.start();
    expect(first.verbs.some((v) => v.name === 'Start')).toBe(true);
    const recordingCallback = recorded.webhook_urls.voice!.replace(/voice$/, 'recording');
    const res = await c.post(recordingCallback, {
      CallSid: c.callSid,
      AccountSid: ACCOUNT,
      RecordingSid: recordingSid,
      RecordingUrl: `${apiUrl}/2010-04-01/Accounts/${ACCOUNT}/Recordings/${recordingSid}`,
      RecordingStatus: 'completed',
      RecordingDuration: '12',
    });
    expect(res.status).toBe(200);
    const [msg] = await p.t.database.db.select().from(messages).where(eq(messages.externalId, recordingSid));
    expect(msg).toMatchObject({ sender: 'system', text: 'Call recording (12 s)' });
    const [file] = await p.attachmentsOf(msg!.id);
    expect(file).toMatchObject({ contentType: 'audio/mpeg', size: mp3.length });
    expect(Buffer.from((await p.t.deps.blobs.get(file!.blobKey!))!)).toEqual(mp3);
    await c.hangup('completed');
  } finally {
    await new Promise((r) => api.close(r));
  }
});
