import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { phoneAdapter } from '../../../channels/phone/index.ts';
import type { ChannelAdapter, RawWebhook } from '../../../src/domain/model/adapter.ts';
import type { CallAnswer, CallEvent } from '../../../src/domain/model/call.ts';
import { AppError } from '../../../src/errors.ts';
import { ScriptedCall } from '../../../channels/phone/peer/voice-caller.ts';
import { noAttachments } from '../../helpers/adapter-deps.ts';

// A whole call, end to end without core: the scripted caller plays Twilio against a local host that does what core
// does with the adapter (verify → parse → canned answer → answerCall) over real HTTP.

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'voice-token-0123456789';
const CHANNEL = 'ch_phone';
const OUR_NUMBER = '+18005550100';
const CALLER = '+14155550123';

type Script = (event: CallEvent) => CallAnswer;

interface VoiceHost {
  base: string;
  adapter: ChannelAdapter;
  events: CallEvent[];
  ignored: string[];
  server: Server;
}

/** Answers like core would for a simple bot: greet, then reply to each utterance with "You said: …". */
const echoBot: Script = (e) => {
  if (e.kind === 'start') return { callId: e.callId, first: true, say: [e.greeting], listenTurn: 1 };
  if (e.kind === 'speech') return { callId: e.callId, say: [`You said: ${e.message.text}`], listenTurn: e.turn + 1 };
  if (e.kind === 'wait') return { callId: e.callId, say: ['Here it is.'], listenTurn: e.turn + 1 };
  return { callId: e.callId, say: [], hangup: true };
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const hosts: Server[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function startVoiceHost(script: Script, config: Record<string, unknown> = {}): Promise<VoiceHost> {
  const host = { events: [], ignored: [] } as unknown as VoiceHost;
  host.server = createServer(async (req, res) => {
    const raw: RawWebhook = {
      method: req.method ?? 'POST',
      url: `${host.base}${req.url}`,
      subPath: new URL(req.url ?? '/', host.base).pathname.split('/').pop() ?? '',
      headers: new Headers(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : []))),
      body: await readBody(req),
      receivedAt: new Date(),
    };
    try {
      await host.adapter.verify(raw);
      const outcome = await host.adapter.parse(raw);
      let answer: Response;
      if (outcome.type === 'call') {
        host.events.push(outcome.event);
        answer = host.adapter.answerCall!(script(outcome.event));
      } else if (outcome.type === 'ignored') {
        host.ignored.push(outcome.reason);
        answer = outcome.ack ?? new Response('');
      } else throw new Error(`unexpected outcome ${outcome.type}`);
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(await answer.text());
    } catch (err) {
      res.writeHead(err instanceof AppError ? err.status : 500, { 'Content-Type': 'text/plain' });
      res.end((err as Error).message);
    }
  });
  hosts.push(host.server);
  await new Promise<void>((r) => host.server.listen(0, '127.0.0.1', r));
  host.base = `http://127.0.0.1:${(host.server.address() as AddressInfo).port}`;
  const hooks = `${host.base}/webhooks/${CHANNEL}`;
  const parsed = phoneAdapter.configSchema.parse({ account_sid: ACCOUNT, auth_token: TOKEN, from: OUR_NUMBER, ...config });
  host.adapter = phoneAdapter.create(
    parsed,
    { fetch, now: () => new Date(), publicUrl: host.base, realtime: { toContact: async () => 0 }, loadAttachment: noAttachments },
    { id: CHANNEL, webhookUrls: { inbound: `${hooks}/voice`, voice: `${hooks}/voice`, status: `${hooks}/status` } },
  );
  return host;
}

function caller(host: VoiceHost, overrides: Partial<ConstructorParameters<typeof ScriptedCall>[0]> = {}): ScriptedCall {
  return new ScriptedCall({
    voiceUrl: `${host.base}/webhooks/${CHANNEL}/voice`,
    statusUrl: `${host.base}/webhooks/${CHANNEL}/status`,
    accountSid: ACCOUNT,
    authToken: TOKEN,
    from: CALLER,
    to: OUR_NUMBER,
    ...overrides,
  });
}

describe('a scripted call against the phone adapter', () => {
  it('greets, then listens with an absolute, signed-over action for turn 1', async () => {
    const host = await startVoiceHost(echoBot, { greeting: 'Acme support, how can I help?', voice: 'Polly.Joanna' });
    const call = caller(host);
    const step = await call.start();

    expect(step.status).toBe(200);
    expect(step.says).toEqual(['Acme support, how can I help?']);
    expect(step.gather).toEqual({ action: `${host.base}/webhooks/${CHANNEL}/voice?t=1`, input: 'speech' });
    const gather = step.verbs.find((v) => v.name === 'Gather')!;
    expect(gather.attrs).toMatchObject({ speechTimeout: 'auto', speechModel: 'phone_call', language: 'en-US', actionOnEmptyResult: 'true', method: 'POST' });
    expect(step.verbs.at(-1)?.name).toBe('Gather');
    expect(step.verbs[0]!.attrs).toMatchObject({ voice: 'Polly.Joanna', language: 'en-US' });
    expect(host.events).toEqual([
      { kind: 'start', callId: call.callSid, from: { address: CALLER, phone: CALLER }, greeting: 'Acme support, how can I help?', raw: expect.objectContaining({ CallStatus: 'ringing' }) },
    ]);
  });

  it('reports each utterance once per turn, keyed <CallSid>:<turn>', async () => {
    const host = await startVoiceHost(echoBot);
    const call = caller(host);
    await call.start();
    const one = await call.say('I need to change my delivery address.');
    const two = await call.say('It is 12 Main Street & co.', 0.61);

    expect(one.says).toEqual(['You said: I need to change my delivery address.']);
    expect(one.gather?.action).toBe(`${host.base}/webhooks/${CHANNEL}/voice?t=2`);
    expect(two.gather?.action).toBe(`${host.base}/webhooks/${CHANNEL}/voice?t=3`);
    const speech = host.events.filter((e) => e.kind === 'speech');
    expect(speech.map((e) => [e.turn, e.message.externalId, e.message.text])).toEqual([
      [1, `${call.callSid}:1`, 'I need to change my delivery address.'],
      [2, `${call.callSid}:2`, 'It is 12 Main Street & co.'],
    ]);
    expect(speech[0]!.message).toMatchObject({ channel: 'phone_voice', channelId: CHANNEL, externalThreadId: call.callSid, from: { address: CALLER }, attachments: [] });
    expect(speech[1]!.message.raw).toMatchObject({ Confidence: '0.61' });
  });

  it('reports silence as an empty utterance', async () => {
    const host = await startVoiceHost(echoBot);
    const call = caller(host);
    await call.start();
    await call.silence();
    expect(host.events.at(-1)).toMatchObject({ kind: 'speech', turn: 1, message: { text: '' } });
  });

  it('holds with a pause and a redirect until the reply is ready', async () => {
    const host = await startVoiceHost((e) => {
      if (e.kind === 'speech') return { callId: e.callId, say: [], waitTurn: e.turn };
      if (e.kind === 'wait' && e.attempt < 2) return { callId: e.callId, say: [], waitTurn: e.turn, waitAttempt: e.attempt };
      return echoBot(e);
    });
    const call = caller(host);
    await call.start();
    const step = await call.say('Where is my parcel?');

    expect(host.events.map((e) => (e.kind === 'wait' ? `wait ${e.turn}/${e.attempt}` : e.kind))).toEqual(['start', 'speech', 'wait 1/1', 'wait 1/2']);
    expect(step.trail).toHaveLength(3);
    expect(step.trail[1]).toContain('<Say language="en-US">One moment, please.</Say><Pause length="2"/>');
    expect(step.trail[1]).toContain(`<Redirect method="POST">${host.base}/webhooks/${CHANNEL}/voice?t=1&amp;wait=2</Redirect>`);
    expect(step.says).toEqual(['Here it is.']);
    expect(step.gather?.action).toBe(`${host.base}/webhooks/${CHANNEL}/voice?t=2`);
  });

  it('gives up waiting after max_wait_redirects, apologises and listens for the next turn', async () => {
    const host = await startVoiceHost((e) => {
      if (e.kind === 'speech' || e.kind === 'wait') return { callId: e.callId, say: [], waitTurn: e.turn, waitAttempt: e.kind === 'wait' ? e.attempt : undefined };
      return echoBot(e);
    }, { max_wait_redirects: 3 });
    const call = caller(host);
    await call.start();
    const step = await call.say('Hello?');

    expect(host.events.filter((e) => e.kind === 'wait')).toHaveLength(3);
    expect(step.says).toEqual(['Sorry, that is taking longer than expected.']);
    expect(step.gather?.action).toBe(`${host.base}/webhooks/${CHANNEL}/voice?t=2`);
  });

  it('transfers to a number with our caller id, and says so when nobody answers', async () => {
    const host = await startVoiceHost((e) => {
      if (e.kind === 'speech') return { callId: e.callId, say: ['Connecting you to an agent.'], transfer: { number: '+14155550199' } };
      if (e.kind === 'transfer-done') return { callId: e.callId, say: e.notice ? [e.notice] : [], hangup: true };
      return echoBot(e);
    });
    const call = caller(host);
    await call.start();
    const step = await call.say('Let me talk to a person.');

    expect(step.says).toEqual(['Connecting you to an agent.']);
    expect(step.dial).toEqual({ number: '+14155550199', callerId: OUR_NUMBER, action: `${host.base}/webhooks/${CHANNEL}/transfer` });
    expect(step.verbs.find((v) => v.name === 'Dial')?.attrs).toMatchObject({ timeout: '20', method: 'POST' });
    expect(step.verbs.at(-1)?.name).toBe('Dial');

    const after = await call.dialDone('no-answer');
    expect(host.events.at(-1)).toEqual({
      kind: 'transfer-done',
      callId: call.callSid,
      status: 'no-answer',
      notice: 'Sorry, nobody is available right now. Please try again later.',
    });
    expect(after.says).toEqual(['Sorry, nobody is available right now. Please try again later.']);
    expect(after.hangup).toBe(true);
  });

  it('says nothing extra after a transfer that was answered', async () => {
    const host = await startVoiceHost((e) =>
      e.kind === 'speech' ? { callId: e.callId, say: [], transfer: { number: '+14155550199' } } : echoBot(e),
    );
    const call = caller(host);
    await call.start();
    await call.say('Agent please.');
    const after = await call.dialDone('completed');
    expect(after.says).toEqual([]);
    expect(after.hangup).toBe(true);
  });

  it('puts the caller in a named queue', async () => {
    const host = await startVoiceHost((e) =>
      e.kind === 'speech' ? { callId: e.callId, say: ['Please hold for billing.'], transfer: { queue: 'billing' } } : echoBot(e),
    );
    const call = caller(host);
    await call.start();
    const step = await call.say('A question about my invoice.');
    expect(step.enqueue).toBe('billing');
    expect(step.verbs.at(-1)).toMatchObject({ name: 'Enqueue', attrs: { action: `${host.base}/webhooks/${CHANNEL}/transfer` } });

    await call.queueDone('queue-full');
    expect(host.events.at(-1)).toMatchObject({ kind: 'transfer-done', callId: call.callSid, status: 'queue-full', notice: expect.any(String) });
  });

  it('ends the call on a terminal status callback and acks the others with an empty Response', async () => {
    const host = await startVoiceHost(echoBot);
    const call = caller(host);
    await call.start();

    const ringing = await call.hangup('in-progress');
    expect(ringing.status).toBe(200);
    expect(ringing.headers.get('content-type')).toBe('text/xml');
    expect(await ringing.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');

    const done = await call.hangup('completed');
    expect(done.status).toBe(200);
    expect(host.events.at(-1)).toEqual({ kind: 'end', callId: call.callSid, status: 'completed' });
    expect(host.ignored).toEqual(['call status in-progress']);
  });

  it('refuses a call signed with another token, or not signed at all, with 403', async () => {
    const host = await startVoiceHost(echoBot);
    const forged = await caller(host, { authToken: 'not-the-token' }).start();
    expect(forged.status).toBe(403);

    const unsigned = await fetch(`${host.base}/webhooks/${CHANNEL}/voice`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(caller(host).common('ringing')).toString(),
    });
    expect(unsigned.status).toBe(403);
    expect(host.events).toEqual([]);
  });

  it('refuses a genuine request whose turn was tampered with', async () => {
    const host = await startVoiceHost(echoBot);
    const call = caller(host);
    await call.start();
    const params = { ...call.common('in-progress'), SpeechResult: 'hi' };
    const signedFor = `${host.base}/webhooks/${CHANNEL}/voice?t=1`;
    const sig = twilio.getExpectedTwilioSignature(TOKEN, signedFor, params);
    const res = await fetch(`${host.base}/webhooks/${CHANNEL}/voice?t=7`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': sig },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(403);
    expect(host.events.map((e) => e.kind)).toEqual(['start']);
  });

  it('starts recording on the first listen when the channel records calls', async () => {
    const host = await startVoiceHost(echoBot, { record: true });
    const call = caller(host);
    const first = await call.start();
    expect(first.verbs[0]).toMatchObject({
      name: 'Start',
      children: [{ name: 'Recording', attrs: { recordingStatusCallback: `${host.base}/webhooks/${CHANNEL}/recording`, recordingStatusCallbackEvent: 'completed' } }],
    });
    const next = await call.say('Hi');
    expect(next.verbs.some((v) => v.name === 'Start')).toBe(false);
  });
});
