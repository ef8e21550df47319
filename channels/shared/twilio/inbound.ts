import type { InboundMessage } from '../../../src/domain/model/messages.ts';
import { inboundAttachments } from './inbound-media.ts';
import { classifyKeyword } from './keywords.ts';
import { param } from './signature.ts';

// One inbound Twilio Messaging webhook (SMS, MMS or WhatsApp) → one InboundMessage. WhatsApp content types that
// carry no Body (a location pin, a quick-reply button) are turned into text so the conversation reads naturally.

export interface InboundContext {
  kind: 'sms' | 'whatsapp';
  channelId: string;
  now: Date;
  helpText: string;
}

/** `whatsapp:+5511…` → `+5511…`: contacts are keyed by phone number whatever the channel prefix. */
export function stripChannelPrefix(address: string): string {
  return address.replace(/^whatsapp:/i, '');
}

function locationText(params: Record<string, string | string[]>): string | undefined {
  const lat = param(params, 'Latitude');
  const lng = param(params, 'Longitude');
  if (!lat || !lng) return undefined;
  const place = [param(params, 'Label'), param(params, 'Address')].filter(Boolean).join(', ');
  const where = place ? `📍 ${place} (${lat}, ${lng})` : `📍 ${lat}, ${lng}`;
  return `${where}\nhttps://maps.google.com/?q=${encodeURIComponent(`${lat},${lng}`)}`;
}

function messageText(params: Record<string, string | string[]>): string {
  const body = param(params, 'Body') || param(params, 'ButtonText');
  return [body, locationText(params)].filter(Boolean).join('\n');
}

export function parseInbound(params: Record<string, string | string[]>, ctx: InboundContext): InboundMessage {
  const phone = stripChannelPrefix(param(params, 'From'));
  const name = param(params, 'ProfileName');
  const body = param(params, 'Body');
  const message: InboundMessage = {
    channel: ctx.kind,
    channelId: ctx.channelId,
    externalId: param(params, 'MessageSid') || param(params, 'SmsMessageSid') || param(params, 'SmsSid'),
    from: name ? { address: phone, phone, name } : { address: phone, phone },
    text: messageText(params),
    attachments: inboundAttachments(params),
    sentAt: ctx.now,
    raw: params,
  };
  const control = classifyKeyword(body, param(params, 'OptOutType'));
  if (control) message.control = control;
  if (control === 'help') message.autoReply = ctx.helpText;
  return message;
}
