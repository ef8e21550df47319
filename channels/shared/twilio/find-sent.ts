import type { OutboundMessage, SendReceipt } from '../../../src/domain/model/messages.ts';
import { DeliveryError } from '../../../src/errors.ts';
import { inTwilioCall, type TwilioCallContext, type TwilioClient } from './client.ts';
import { buildCreateParams, type SendTarget } from './send.ts';

// After a crash between `messages.create` and the record of its receipt: did Twilio take the reply? Create has no
// idempotency key, so the lookup is the Message list filtered by To and From (newest first,
// https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources), matched on the
// exact body, created no earlier than the send began. A legitimately repeated text to the same customer is older
// than that mark, so it is not mistaken for this one.

const LOOKBACK = 50;
/** Twilio's clock and ours may differ a little; date_created has one-second resolution. */
const CLOCK_SLACK_MS = 2000;

export async function findSentTwilioMessage(
  client: TwilioClient,
  msg: OutboundMessage,
  target: SendTarget,
  since: Date,
  signal: AbortSignal,
): Promise<SendReceipt | undefined> {
  const params = buildCreateParams(msg, target);
  const ctx: TwilioCallContext = { signal };
  signal.throwIfAborted();
  let recent;
  try {
    const filter = { to: params.to, limit: LOOKBACK, ...(params.from ? { from: params.from } : {}) };
    recent = await inTwilioCall(ctx, () => client.messages.list(filter));
  } catch (err) {
    throw new DeliveryError(`twilio: could not look up sent messages: ${(err as Error).message}`, 'later', { cause: err });
  }
  const body = params.body ?? '';
  const hit = recent.find((m) => (m.body ?? '') === body && m.dateCreated.getTime() >= since.getTime() - CLOCK_SLACK_MS);
  return hit ? { externalId: hit.sid, status: 'sent' } : undefined;
}
