import type { OutboundMessage, SendReceipt } from '../../../src/domain/model/messages.ts';
import { DeliveryError } from '../../../src/errors.ts';
import { inTwilioCall, type TwilioCallContext, type TwilioClient } from './client.ts';
import type { TwilioMessagingConfig } from './config.ts';
import { WINDOW_CLOSED_MESSAGE } from './error-codes.ts';
import { classifyTwilioSendError } from './send-errors.ts';

// One OutboundMessage → one `messages.create`. Create has no idempotency key, so our message id rides in the
// StatusCallback URL (`?o=`): callbacks that beat the create response can still be matched
// (https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks).

export type MessageCreateParams = Parameters<TwilioClient['messages']['create']>[0];

export interface SendTarget {
  kind: 'sms' | 'whatsapp';
  config: TwilioMessagingConfig;
  /** channel.webhookUrls.status, absolute. */
  statusUrl: string | undefined;
}

function withOurId(statusUrl: string, messageId: string): string {
  return `${statusUrl}${statusUrl.includes('?') ? '&' : '?'}o=${encodeURIComponent(messageId)}`;
}

/** Twilio's address for the recipient: WhatsApp numbers carry the channel prefix. */
export function twilioAddress(kind: SendTarget['kind'], address: string): string {
  if (kind !== 'whatsapp' || address.startsWith('whatsapp:')) return address;
  return `whatsapp:${address}`;
}

export function buildCreateParams(msg: OutboundMessage, target: SendTarget): MessageCreateParams {
  const { config, kind } = target;
  const params: MessageCreateParams = { to: twilioAddress(kind, msg.to.address) };
  if (config.messaging_service_sid) params.messagingServiceSid = config.messaging_service_sid;
  else if (config.from) params.from = config.from;
  if (target.statusUrl) params.statusCallback = withOurId(target.statusUrl, msg.messageId);

  if (kind === 'whatsapp' && msg.windowClosed) {
    const template = config.fallback_template;
    // Free text would be accepted and then fail with 63016 in the callback: refuse it here instead.
    if (!template) throw new DeliveryError(WINDOW_CLOSED_MESSAGE, 'never', { providerCode: '63016' });
    params.contentSid = template.content_sid;
    params.contentVariables = JSON.stringify(template.variables ?? { 1: msg.to.name ?? 'there' });
    return params;
  }

  if (msg.text) params.body = msg.text;
  const mediaUrl = msg.attachments.map((a) => a.url).filter((u): u is string => Boolean(u));
  if (mediaUrl.length > 0) params.mediaUrl = mediaUrl;
  return params;
}

export async function sendTwilioMessage(
  client: TwilioClient,
  msg: OutboundMessage,
  target: SendTarget,
  signal: AbortSignal,
): Promise<SendReceipt> {
  const params = buildCreateParams(msg, target);
  const ctx: TwilioCallContext = { signal };
  try {
    // The SDK cannot be interrupted before axios runs: check first so an already-aborted send costs nothing.
    signal.throwIfAborted();
    const created = await inTwilioCall(ctx, () => client.messages.create(params));
    return { externalId: created.sid, status: 'sent' };
  } catch (err) {
    throw classifyTwilioSendError(err, { aborted: signal.aborted, retryAfterMs: ctx.retryAfterMs });
  }
}
