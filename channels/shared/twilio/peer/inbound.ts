import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import type { MediaStore } from './media.ts';
import { e164, type PeerState } from './state.ts';
import { twilioSid } from './sids.ts';
import { smsSegments } from './sms-segments.ts';

// A customer's message as Twilio delivers it to the inbound webhook: the same params (names and order), the
// X-Twilio-Signature over URL + params, an idempotency token that stays the same when Twilio retries.

export interface InboundOptions {
  from: string;
  to: string;
  body?: string;
  media?: Array<{ bytes: Uint8Array; contentType: string }>;
  /** Makes it a WhatsApp message (so does a `whatsapp:` prefix on from/to). */
  whatsapp?: {
    profileName?: string;
    location?: { latitude: number; longitude: number; address?: string; label?: string };
    buttonText?: string;
    buttonPayload?: string;
  };
  /** Give a sid already delivered to re-deliver that very message (a Twilio retry). */
  messageSid?: string;
  messagingServiceSid?: string;
}

export interface InboundResult {
  status: number;
  body: string;
  messageSid: string;
}

export interface SignedPostOptions {
  /** null: omit the header; a string: send it instead of the real signature. */
  signature?: string | null;
  headers?: Record<string, string>;
}

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);
const COUNTRY_BY_PREFIX: ReadonlyArray<[string, string]> = [
  ['+1', 'US'], ['+44', 'GB'], ['+55', 'BR'], ['+49', 'DE'], ['+33', 'FR'], ['+34', 'ES'], ['+61', 'AU'], ['+91', 'IN'],
];

function country(number: string): string {
  return COUNTRY_BY_PREFIX.find(([prefix]) => number.startsWith(prefix))?.[1] ?? '';
}

function geo(side: 'From' | 'To', number: string): Record<string, string> {
  return { [`${side}City`]: '', [`${side}State`]: '', [`${side}Zip`]: '', [`${side}Country`]: country(number) };
}

function messageType(opts: InboundOptions): string {
  if (opts.whatsapp?.location) return 'location';
  if (opts.whatsapp?.buttonText) return 'button';
  const type = opts.media?.[0]?.contentType.split('/')[0];
  if (type === 'image' || type === 'audio' || type === 'video') return type;
  return opts.media?.length ? 'document' : 'text';
}

export function buildInboundParams(state: PeerState, media: MediaStore, sid: string, opts: InboundOptions): Record<string, string> {
  const isWhatsapp = Boolean(opts.whatsapp) || opts.from.startsWith('whatsapp:') || opts.to.startsWith('whatsapp:');
  const [from, to] = [e164(opts.from), e164(opts.to)];
  const body = opts.body ?? '';
  const files = opts.media ?? [];
  const p: Record<string, string> = isWhatsapp ? {} : geo('To', to);
  p.SmsMessageSid = sid;
  p.NumMedia = String(files.length);
  if (isWhatsapp) {
    if (opts.whatsapp?.profileName) p.ProfileName = opts.whatsapp.profileName;
    p.MessageType = messageType(opts);
    p.WaId = from.slice(1);
  } else Object.assign(p, geo('From', from));
  p.SmsSid = sid;
  p.SmsStatus = 'received';
  p.Body = body;
  files.forEach((file, n) => {
    p[`MediaContentType${n}`] = file.contentType;
    p[`MediaUrl${n}`] = media.add(file.bytes, file.contentType, sid);
  });
  const loc = opts.whatsapp?.location;
  if (loc) Object.assign(p, { Latitude: String(loc.latitude), Longitude: String(loc.longitude) });
  if (loc?.address) p.Address = loc.address;
  if (loc?.label) p.Label = loc.label;
  if (opts.whatsapp?.buttonText) p.ButtonText = opts.whatsapp.buttonText;
  if (opts.whatsapp?.buttonPayload) p.ButtonPayload = opts.whatsapp.buttonPayload;
  p.To = isWhatsapp ? `whatsapp:${to}` : to;
  if (opts.messagingServiceSid) p.MessagingServiceSid = opts.messagingServiceSid;
  p.NumSegments = String(smsSegments(body));
  p.MessageSid = sid;
  p.AccountSid = state.accountSid;
  p.From = isWhatsapp ? `whatsapp:${from}` : from;
  p.ApiVersion = '2010-04-01';
  return p;
}

/** What Twilio itself does with the keyword before posting: block or unblock SMS to that number; open the window. */
export function applyInboundSideEffects(state: PeerState, params: Record<string, string>): void {
  const from = e164(params.From ?? '');
  if ((params.From ?? '').startsWith('whatsapp:')) {
    state.lastInbound.set(from, new Date());
    return;
  }
  const keyword = (params.Body ?? '').trim().toUpperCase();
  if (OPT_OUT.has(keyword)) state.optedOut.add(from);
  if (OPT_IN.has(keyword)) state.optedOut.delete(from);
}

export async function postSigned(
  state: PeerState,
  url: string,
  params: Record<string, string>,
  opts: SignedPostOptions = {},
): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    'User-Agent': 'TwilioProxy/1.1',
    Accept: '*/*',
    ...opts.headers,
  };
  const signature = opts.signature === undefined ? twilio.getExpectedTwilioSignature(state.authToken, url, params) : opts.signature;
  if (signature !== null) headers['X-Twilio-Signature'] = signature;
  const res = await state.fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  return { status: res.status, body: await res.text() };
}

/** Remembers each delivered message so a retry re-sends the same params and idempotency token. */
export class InboundSender {
  private readonly delivered = new Map<string, { params: Record<string, string>; token: string }>();

  constructor(private readonly state: PeerState, private readonly media: MediaStore) {}

  async send(webhookUrl: string, opts: InboundOptions): Promise<InboundResult> {
    const known = opts.messageSid ? this.delivered.get(opts.messageSid) : undefined;
    const sid = opts.messageSid ?? twilioSid(opts.media?.length ? 'MM' : 'SM');
    const delivery = known ?? { params: buildInboundParams(this.state, this.media, sid, opts), token: randomUUID() };
    this.delivered.set(sid, delivery);
    if (!known) applyInboundSideEffects(this.state, delivery.params);
    const answer = await postSigned(this.state, webhookUrl, delivery.params, {
      headers: { 'I-Twilio-Idempotency-Token': delivery.token },
    });
    return { ...answer, messageSid: sid };
  }
}
