import type { ParseOutcome, RawWebhook } from '../../../src/domain/model/adapter.ts';
import type { DeliveryUpdate, InboundMessage } from '../../../src/domain/model/messages.ts';
import type { MetaConfig } from './config.ts';
import { toInboundMessage } from './inbound.ts';
import { toDeliveryUpdate } from './status.ts';
import { changeValueSchema, contactSchema, envelopeSchema, messageSchema, statusSchema } from './webhook-schema.ts';

// A verified Meta webhook → ParseOutcome. One POST may batch entries × changes × messages and statuses; only
// changes for this channel's phone number count (one Meta app can serve several numbers through one callback).
// Every outcome acks 200 at once: any other answer is redelivered for days.

const ok = () => new Response('OK', { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });

export function parseHandshake(req: RawWebhook): ParseOutcome {
  const challenge = new URL(req.url).searchParams.get('hub.challenge') ?? '';
  return { type: 'handshake', ack: new Response(challenge, { status: 200, headers: { 'content-type': 'text/plain' } }) };
}

function contactFor(contacts: unknown[], from: string | undefined, userId: string | undefined) {
  for (const raw of contacts) {
    const c = contactSchema.safeParse(raw);
    if (!c.success) continue;
    if ((from && c.data.wa_id === from) || (userId && c.data.user_id === userId)) return { name: c.data.profile?.name, raw };
  }
  return undefined;
}

export function parseNotification(config: MetaConfig, channelId: string, req: RawWebhook): ParseOutcome {
  let body: unknown;
  try {
    body = JSON.parse(req.body);
  } catch {
    return { type: 'ignored', reason: 'body is not JSON', ack: ok() };
  }
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) return { type: 'ignored', reason: 'not a Meta webhook envelope', ack: ok() };
  if (envelope.data.object !== 'whatsapp_business_account') {
    return { type: 'ignored', reason: `object "${envelope.data.object}" is not whatsapp_business_account`, ack: ok() };
  }

  const ctx = { config, channelId, receivedAt: req.receivedAt };
  const messages: InboundMessage[] = [];
  const updates: DeliveryUpdate[] = [];
  let malformed = 0;
  for (const entry of envelope.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      const value = changeValueSchema.safeParse(change.value);
      if (!value.success) {
        malformed++;
        continue;
      }
      if (value.data.metadata.phone_number_id !== config.phone_number_id) continue;
      for (const raw of value.data.messages) {
        const m = messageSchema.safeParse(raw);
        if (!m.success) {
          malformed++;
          continue;
        }
        const message = toInboundMessage(ctx, m.data, raw, contactFor(value.data.contacts, m.data.from, m.data.user_id));
        if (message) messages.push(message);
      }
      for (const raw of value.data.statuses) {
        const s = statusSchema.safeParse(raw);
        const update = s.success ? toDeliveryUpdate(s.data) : null;
        if (!s.success) malformed++;
        if (update) updates.push(update);
      }
    }
  }

  if (messages.length) return { type: 'messages', messages, updates, ack: ok() };
  if (updates.length) return { type: 'status', updates, ack: ok() };
  const reason = malformed ? `${malformed} malformed item(s), nothing usable` : 'no messages or statuses for this phone number';
  return { type: 'ignored', reason, ack: ok() };
}
