import type { DeliveryStatus } from '../../../src/domain/model/enums.ts';
import type { DeliveryUpdate } from '../../../src/domain/model/messages.ts';
import { describeTwilioCode } from './error-codes.ts';
import { param } from './signature.ts';

// A status callback → one DeliveryUpdate, or nothing when the status is one we never store (below `sent`, or an
// inbound message's own receiving/received). Ranking and "never regress" are core's job: callbacks arrive out of order.

const STORED: Readonly<Record<string, DeliveryStatus>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

/** Our message id, which send() put in the StatusCallback URL as `?o=`. */
function ourMessageId(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('o') || undefined;
  } catch {
    return undefined;
  }
}

export type StatusParse = { update: DeliveryUpdate } | { ignored: string };

export function parseStatusCallback(params: Record<string, string | string[]>, url: string): StatusParse {
  const twilioStatus = (param(params, 'MessageStatus') || param(params, 'SmsStatus')).toLowerCase();
  const externalId = param(params, 'MessageSid') || param(params, 'SmsSid');
  if (!externalId) return { ignored: 'status callback without MessageSid' };
  const status = Object.hasOwn(STORED, twilioStatus) ? STORED[twilioStatus] : undefined;
  if (!status) return { ignored: `status ${twilioStatus || '(none)'} is not one we store` };

  const update: DeliveryUpdate = { externalId, status };
  const messageId = ourMessageId(url);
  if (messageId) update.messageId = messageId;
  const code = param(params, 'ErrorCode');
  if (code && code !== '0') {
    update.providerCode = code;
    update.error = describeTwilioCode(code);
  }
  return { update };
}
