import twilio from 'twilio';
import type { ChannelInfo, ParseOutcome, RawWebhook } from '../../src/domain/model/adapter.ts';
import type { CallEvent } from '../../src/domain/model/call.ts';
import type { InboundMessage } from '../../src/domain/model/messages.ts';
import { formParams, param } from '../shared/twilio/signature.ts';
import type { PhoneConfig } from './config.ts';

// Turns one Twilio Voice webhook into one step of the call
// (https://www.twilio.com/docs/usage/webhooks/voice-webhooks). The turn number and wait attempt
// travel in the query of the action URLs we wrote, so the signature covers them and a redelivered webhook maps to
// the same `<CallSid>:<turn>` message id.

type Params = Record<string, string | string[]>;

// Transfer outcomes the caller should hear about (the agent or the queue never took the call).
const FAILED_TRANSFERS = new Set(['busy', 'no-answer', 'failed', 'canceled', 'queue-full', 'error', 'system-error']);
const TERMINAL_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

/** What Twilio gets for a webhook we do not act on: an empty, valid TwiML document. */
export function emptyTwiml(): Response {
  return new Response(new twilio.twiml.VoiceResponse().toString(), { headers: { 'Content-Type': 'text/xml' } });
}

function ignored(reason: string): ParseOutcome {
  return { type: 'ignored', reason, ack: emptyTwiml() };
}

function positiveInt(value: string | null): number | undefined {
  if (value === null || !/^[1-9]\d{0,8}$/.test(value)) return undefined;
  return Number(value);
}

function caller(params: Params): InboundMessage['from'] {
  const from = param(params, 'From');
  const name = param(params, 'CallerName');
  return name ? { address: from, phone: from, name } : { address: from, phone: from };
}

/** Twilio's RFC 2822 timestamps (RecordingStartTime), falling back to when we received the webhook. */
function dateOr(value: string, fallback: Date): Date {
  const at = value ? new Date(value) : fallback;
  return Number.isNaN(at.getTime()) ? fallback : at;
}

function voiceEvent(config: PhoneConfig, channel: ChannelInfo, req: RawWebhook, params: Params): CallEvent | string {
  const callId = param(params, 'CallSid');
  const query = new URL(req.url).searchParams;
  if (!query.has('t')) return { kind: 'start', callId, from: caller(params), greeting: config.greeting, raw: params };
  const turn = positiveInt(query.get('t'));
  if (turn === undefined) return `voice webhook with an invalid turn: ${query.get('t')}`;
  if (query.has('wait')) {
    const attempt = positiveInt(query.get('wait'));
    if (attempt === undefined) return `voice webhook with an invalid wait attempt: ${query.get('wait')}`;
    return { kind: 'wait', callId, turn, attempt };
  }
  // Keypad digits stand in for speech: a caller who presses 1 said "1".
  const text = param(params, 'SpeechResult') || param(params, 'Digits');
  const message: InboundMessage = {
    channel: 'phone_voice',
    channelId: channel.id,
    externalId: `${callId}:${turn}`,
    externalThreadId: callId,
    from: caller(params),
    text,
    attachments: [],
    sentAt: req.receivedAt,
    raw: params,
  };
  return { kind: 'speech', callId, turn, message };
}

function recordingEvent(channel: ChannelInfo, req: RawWebhook, params: Params): CallEvent | string {
  const status = param(params, 'RecordingStatus');
  if (status && status !== 'completed') return `recording ${status}`;
  const callId = param(params, 'CallSid');
  const sid = param(params, 'RecordingSid');
  const url = param(params, 'RecordingUrl');
  if (!sid || !url) return 'recording callback without RecordingSid or RecordingUrl';
  // Recording callbacks carry no From: the call id is the only identity they have.
  const from = param(params, 'From') || callId;
  const message: InboundMessage = {
    channel: 'phone_voice',
    channelId: channel.id,
    externalId: sid,
    externalThreadId: callId,
    from: { address: from },
    text: `Call recording (${param(params, 'RecordingDuration') || '0'} s)`,
    attachments: [{ filename: `${sid}.mp3`, contentType: 'audio/mpeg', url: `${url}.mp3` }],
    sentAt: dateOr(param(params, 'RecordingStartTime'), req.receivedAt),
    raw: params,
  };
  return { kind: 'recording', callId, message };
}

function callEvent(config: PhoneConfig, channel: ChannelInfo, req: RawWebhook, params: Params): CallEvent | string {
  const callId = param(params, 'CallSid');
  switch (req.subPath) {
    case 'voice':
      return voiceEvent(config, channel, req, params);
    case 'recording':
      return recordingEvent(channel, req, params);
    case 'transfer':
      // A <Dial> reports DialCallStatus; an <Enqueue> reports QueueResult (bridged, queue-full, hangup, error…).
    {
      const status = param(params, 'DialCallStatus') || param(params, 'QueueResult');
      const notice = FAILED_TRANSFERS.has(status) ? config.transfer_fail_text : undefined;
      return { kind: 'transfer-done', callId, status, ...(notice ? { notice } : {}) };
    }
    case 'status': {
      const status = param(params, 'CallStatus');
      return TERMINAL_STATUSES.has(status) ? { kind: 'end', callId, status } : `call status ${status || '(none)'}`;
    }
    default:
      return `unknown voice sub-path: ${req.subPath}`;
  }
}

export function parseCallWebhook(config: PhoneConfig, channel: ChannelInfo, req: RawWebhook): ParseOutcome {
  // Twilio can be told to GET the voice URL: its params are then in the query string.
  const params = req.method.toUpperCase() === 'GET' ? formParams(new URL(req.url).search) : formParams(req.body);
  if (!/^CA[0-9a-fA-F]{32}$/.test(param(params, 'CallSid'))) return ignored('voice webhook without a CallSid');
  const event = callEvent(config, channel, req, params);
  return typeof event === 'string' ? ignored(event) : { type: 'call', event };
}
