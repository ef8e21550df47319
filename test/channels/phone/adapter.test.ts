import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { phoneAdapter } from '../../../channels/phone/index.ts';
import type { ChannelAdapter, RawWebhook } from '../../../src/domain/model/adapter.ts';
import { WebhookAuthError } from '../../../src/errors.ts';
import { noAttachments } from '../../helpers/adapter-deps.ts';

// The phone adapter's pieces on their own: config, parse of each sub-path, the TwiML of each kind of answer.

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'voice-token-0123456789';
const CALL = 'CA8f3e0123456789abcdef0123456789ab';
const HOOKS = 'https://support.example.com/webhooks/ch_phone';
const BASE = { account_sid: ACCOUNT, auth_token: TOKEN, from: '+18005550100' };

function adapter(config: Record<string, unknown> = {}): ChannelAdapter {
  return phoneAdapter.create(
    phoneAdapter.configSchema.parse({ ...BASE, ...config }),
    { fetch, now: () => new Date(), publicUrl: 'https://support.example.com', realtime: { toContact: async () => 0 }, loadAttachment: noAttachments },
    { id: 'ch_phone', webhookUrls: { inbound: `${HOOKS}/voice`, voice: `${HOOKS}/voice`, status: `${HOOKS}/status` } },
  );
}

function webhook(subPathAndQuery: string, params: Record<string, string>, token = TOKEN): RawWebhook {
  const url = `${HOOKS}/${subPathAndQuery}`;
  const all = { AccountSid: ACCOUNT, CallSid: CALL, From: '+14155550123', To: '+18005550100', ...params };
  return {
    method: 'POST',
    url,
    subPath: subPathAndQuery.split('?')[0]!,
    headers: new Headers({ 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(token, url, all) }),
    body: new URLSearchParams(all).toString(),
    receivedAt: new Date('2026-11-24T10:00:00Z'),
  };
}

async function twiml(a: ChannelAdapter, answer: Parameters<NonNullable<ChannelAdapter['answerCall']>>[0]): Promise<string> {
  const res = a.answerCall!(answer);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/xml');
  return (await res.text()).replace('<?xml version="1.0" encoding="UTF-8"?>', '');
}

describe('phone config', () => {
  it('fills every default from the credentials and the number alone', () => {
    expect(phoneAdapter.configSchema.parse(BASE)).toEqual({
      ...BASE,
      api_base_url: 'https://api.twilio.com',
      greeting: 'Hi, thanks for calling. How can I help you today?',
      language: 'en-US',
      hold_text: 'One moment, please.',
      record: false,
      max_wait_redirects: 6,
      transfer_fail_text: 'Sorry, nobody is available right now. Please try again later.',
    });
  });

  it.each([
    ['a malformed account sid', { account_sid: 'AC123' }],
    ['a number that is not E.164', { from: '415-555-0100' }],
    ['a missing auth token', { auth_token: undefined }],
    ['an api base that is not a URL', { api_base_url: 'twilio' }],
    ['a fractional wait limit', { max_wait_redirects: 2.5 }],
    ['an unknown field', { region: 'ie1' }],
  ])('rejects %s', (_, patch) => {
    expect(phoneAdapter.configSchema.safeParse({ ...BASE, ...patch }).success).toBe(false);
  });

  it('declares the auth token secret, its webhooks and that replies ride in the answer', () => {
    expect(phoneAdapter.secretFields).toEqual(['auth_token']);
    expect(phoneAdapter.webhookPaths).toEqual({ inbound: 'voice', voice: 'voice', status: 'status' });
  });
});

describe('phone verify', () => {
  it('accepts Twilio signatures on every sub-path and refuses others with 403', async () => {
    const a = adapter();
    await expect(a.verify(webhook('recording', { RecordingSid: 'RE1' }))).resolves.toBeUndefined();
    const forged = a.verify(webhook('status', { CallStatus: 'completed' }, 'other-token'));
    await expect(forged).rejects.toBeInstanceOf(WebhookAuthError);
    await expect(forged).rejects.toMatchObject({ status: 403 });
  });
});

describe('phone parse', () => {
  it('reads keypad digits as the utterance when there is no speech', async () => {
    const outcome = await adapter().parse(webhook('voice?t=3', { Digits: '2' }));
    expect(outcome).toMatchObject({ type: 'call', event: { kind: 'speech', turn: 3, message: { text: '2', externalId: `${CALL}:3` } } });
  });

  it('reads a completed recording as an mp3 attachment of the call', async () => {
    const outcome = await adapter().parse(
      webhook('recording', {
        RecordingSid: 'RE0123456789abcdef0123456789abcdef',
        RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/RE0123456789abcdef0123456789abcdef`,
        RecordingStatus: 'completed',
        RecordingDuration: '37',
        RecordingStartTime: 'Tue, 24 Nov 2026 09:58:00 +0000',
      }),
    );
    expect(outcome).toEqual({
      type: 'call',
      event: {
        kind: 'recording',
        callId: CALL,
        message: expect.objectContaining({
          channel: 'phone_voice',
          channelId: 'ch_phone',
          externalId: 'RE0123456789abcdef0123456789abcdef',
          externalThreadId: CALL,
          text: 'Call recording (37 s)',
          sentAt: new Date('2026-11-24T09:58:00Z'),
          attachments: [
            {
              filename: 'RE0123456789abcdef0123456789abcdef.mp3',
              contentType: 'audio/mpeg',
              url: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/RE0123456789abcdef0123456789abcdef.mp3`,
            },
          ],
        }),
      },
    });
  });

  it('ignores a recording that is not completed, with an empty TwiML ack', async () => {
    const outcome = await adapter().parse(webhook('recording', { RecordingSid: 'RE1', RecordingUrl: 'https://x', RecordingStatus: 'absent' }));
    expect(outcome).toMatchObject({ type: 'ignored', reason: 'recording absent' });
    if (outcome.type !== 'ignored') throw new Error('unreachable');
    expect(await outcome.ack!.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it('reads GET voice webhooks from the query string', async () => {
    const url = `${HOOKS}/voice?${new URLSearchParams({ AccountSid: ACCOUNT, CallSid: CALL, From: '+14155550123', CallerName: 'ANA SOUZA' })}`;
    const outcome = await adapter().parse({ method: 'GET', url, subPath: 'voice', headers: new Headers(), body: '', receivedAt: new Date() });
    expect(outcome).toMatchObject({ type: 'call', event: { kind: 'start', from: { address: '+14155550123', name: 'ANA SOUZA' } } });
  });

  it.each([
    ['voice?t=0', {}, 'voice webhook with an invalid turn: 0'],
    ['voice?t=1&wait=x', {}, 'voice webhook with an invalid wait attempt: x'],
    ['voice', { CallSid: '' }, 'voice webhook without a CallSid'],
    ['status', { CallStatus: 'ringing' }, 'call status ringing'],
    ['elsewhere', {}, 'unknown voice sub-path: elsewhere'],
  ])('ignores %s %j', async (path, params, reason) => {
    expect(await adapter().parse(webhook(path, params))).toMatchObject({ type: 'ignored', reason });
  });

  it.each(['completed', 'busy', 'failed', 'no-answer', 'canceled'])('ends the call on %s', async (status) => {
    expect(await adapter().parse(webhook('status', { CallStatus: status }))).toEqual({ type: 'call', event: { kind: 'end', callId: CALL, status } });
  });
});

describe('phone answerCall', () => {
  it('speaks lines in order, escaped, then listens', async () => {
    const xml = await twiml(adapter({ language: 'pt-BR' }), { callId: CALL, say: ['Olá!', 'A & B <ok>'], listenTurn: 4 });
    expect(xml).toBe(
      '<Response><Say language="pt-BR">Olá!</Say><Say language="pt-BR">A &amp; B &lt;ok&gt;</Say>' +
        `<Gather input="speech" action="${HOOKS}/voice?t=4" method="POST" speechTimeout="auto" speechModel="phone_call" language="pt-BR" actionOnEmptyResult="true"/></Response>`,
    );
  });

  it('hangs up explicitly rather than running off the end', async () => {
    expect(await twiml(adapter(), { callId: CALL, say: ['Goodbye.'] })).toBe('<Response><Say language="en-US">Goodbye.</Say><Hangup/></Response>');
    expect(await twiml(adapter(), { callId: CALL, say: [], hangup: true })).toBe('<Response><Hangup/></Response>');
  });

  it('holds with the configured text and counts the attempts in the redirect', async () => {
    const xml = await twiml(adapter({ hold_text: 'Un momento.' }), { callId: CALL, say: [], waitTurn: 2, waitAttempt: 4 });
    expect(xml).toBe(`<Response><Say language="en-US">Un momento.</Say><Pause length="2"/><Redirect method="POST">${HOOKS}/voice?t=2&amp;wait=5</Redirect></Response>`);
  });

  it('does not record unless the channel records', async () => {
    expect(await twiml(adapter(), { callId: CALL, say: ['Hi'], listenTurn: 1 })).not.toContain('<Start>');
  });
});

describe('phone send', () => {
  it('pushes nothing: the reply is spoken in the next answer', async () => {
    const receipt = await adapter().send({ messageId: 'msg_1', sessionId: 's', to: { address: '+14155550123' }, text: 'Hi', attachments: [] }, new AbortController().signal);
    expect(receipt).toEqual({ externalId: 'msg_1', status: 'sent' });
  });
});
