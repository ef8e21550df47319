import type { ServerResponse } from 'node:http';
import { formValues, sendJson, sendTwilioError } from './http.ts';
import { e164, type PeerState, type SentMessage } from './state.ts';
import { scheduleStatusCallbacks } from './status.ts';
import { rfc2822, twilioSid } from './sids.ts';
import { smsSegments } from './sms-segments.ts';

// POST /2010-04-01/Accounts/{AccountSid}/Messages.json, validated in the order and with the codes Twilio uses, and
// answered with Twilio's Message resource. Caller authentication is checked before this runs.

const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_BODY_CHARS = 1600;
const MAX_MEDIA = 10;

type Rejection = [status: number, code: number, message: string];

function validate(state: PeerState, form: ReturnType<typeof formValues>): Rejection | undefined {
  const to = form.get('To');
  const from = form.get('From');
  const body = form.get('Body');
  if (!to) return [400, 21604, "A 'To' phone number is required."];
  if (!from && !form.get('MessagingServiceSid')) return [400, 21603, "A 'From' phone number is required."];
  if (!E164.test(e164(to))) return [400, 21211, `Invalid 'To' Phone Number: ${to}`];
  if (from && !E164.test(e164(from))) return [400, 21212, `Invalid 'From' Phone Number: ${from}`];
  if (from && to.startsWith('whatsapp:') !== from.startsWith('whatsapp:')) {
    return [400, 63007, `Twilio could not find a Channel with the specified From address: ${from}`];
  }
  if (!body && form.all('MediaUrl').length === 0 && !form.get('ContentSid')) return [400, 21602, 'Message body is required.'];
  if (body.length > MAX_BODY_CHARS) {
    return [400, 21617, 'The concatenated message body exceeds the 1600 character limit.'];
  }
  if (form.all('MediaUrl').length > MAX_MEDIA) return [400, 21623, 'Number of media files exceeds allowed limit'];
  // Twilio's STOP handling blocks SMS only: WhatsApp has no carrier opt-out
  // (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out).
  if (!to.startsWith('whatsapp:') && state.optedOut.has(e164(to))) {
    return [400, 21610, 'Attempt to send to unsubscribed recipient'];
  }
  return undefined;
}

function resource(state: PeerState, msg: SentMessage, status: string): Record<string, unknown> {
  const uri = `/2010-04-01/Accounts/${state.accountSid}/Messages/${msg.sid}`;
  const date = rfc2822(msg.at);
  return {
    account_sid: state.accountSid,
    api_version: '2010-04-01',
    body: msg.body,
    date_created: date,
    date_sent: null,
    date_updated: date,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: msg.from || null,
    messaging_service_sid: msg.messagingServiceSid ?? null,
    num_media: String(msg.mediaUrls.length),
    num_segments: String(msg.mediaUrls.length > 0 ? 1 : smsSegments(msg.body)),
    price: null,
    price_unit: 'USD',
    sid: msg.sid,
    status,
    subresource_uris: { media: `${uri}/Media.json` },
    to: msg.to,
    uri: `${uri}.json`,
  };
}

export function handleCreateMessage(state: PeerState, body: string, res: ServerResponse): void {
  const failure = state.failures.shift();
  if (failure) {
    const headers: Record<string, string> = failure.retryAfter === undefined ? {} : { 'Retry-After': String(failure.retryAfter) };
    return sendTwilioError(res, failure.status, failure.code, failure.message, headers);
  }
  const form = formValues(body);
  const rejection = validate(state, form);
  if (rejection) return sendTwilioError(res, ...rejection);

  const mediaUrls = form.all('MediaUrl');
  const msg: SentMessage = {
    sid: twilioSid(mediaUrls.length > 0 ? 'MM' : 'SM'),
    to: form.get('To'),
    from: form.get('From'),
    body: form.get('Body'),
    mediaUrls,
    at: new Date(),
  };
  const optional = {
    statusCallback: form.get('StatusCallback'),
    contentSid: form.get('ContentSid'),
    contentVariables: form.get('ContentVariables'),
    messagingServiceSid: form.get('MessagingServiceSid'),
  };
  for (const [key, value] of Object.entries(optional)) if (value) msg[key as keyof typeof optional] = value;

  state.sent.push(msg);
  state.changed();
  // A Messaging Service picks the sender later: Twilio answers `accepted` instead of `queued`.
  sendJson(res, 201, resource(state, msg, msg.from ? 'queued' : 'accepted'));
  scheduleStatusCallbacks(state, msg);
}

/**
 * GET Messages.json: the account's messages, newest first, filtered by To and From, one page of PageSize
 * (https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources).
 */
export function handleListMessages(state: PeerState, query: URLSearchParams, res: ServerResponse): void {
  const to = query.get('To');
  const from = query.get('From');
  const pageSize = Math.min(Math.max(Number(query.get('PageSize') ?? 50) || 50, 1), 1000);
  const matching = state.sent.filter((m) => (!to || m.to === to) && (!from || m.from === from)).reverse();
  const page = matching.slice(0, pageSize).map((m) => resource(state, m, 'sent'));
  const uri = `/2010-04-01/Accounts/${state.accountSid}/Messages.json?PageSize=${pageSize}&Page=0`;
  sendJson(res, 200, {
    messages: page,
    end: Math.max(page.length - 1, 0),
    first_page_uri: uri,
    next_page_uri: null,
    page: 0,
    page_size: pageSize,
    previous_page_uri: null,
    start: 0,
    uri,
  });
}
