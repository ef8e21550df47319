import { z } from 'zod';
import { customDataSchema } from '../../../src/domain/contacts/custom-data.ts';

// What browsers may send, over HTTP and the socket (docs/web-chat.md). Strict: unknown fields are refused.

const text = z.string().max(20_000);
const clientMsgId = z.uuid('client_msg_id must be a UUID');

export const visitorBody = z.strictObject({
  token: z.string().max(2000).optional(),
  user_id: z.string().min(1).max(200).optional(),
  user_hash: z.string().max(200).optional(),
  user_jwt: z.string().max(4000).optional(),
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
  custom_data: customDataSchema.optional(),
});

export const messageBody = z.strictObject({
  client_msg_id: clientMsgId,
  text: text.default(''),
  custom_data: customDataSchema.optional(),
});

export const clientFrame = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('hello'),
    token: z.string().max(2000),
    after_seq: z.number().int().min(0).default(0),
    /** Ids the page already shows from the last minute, so a resume does not send them again. */
    seen_ids: z.array(z.uuid()).max(200).default([]),
    custom_data: customDataSchema.optional(),
  }),
  z.strictObject({ type: z.literal('send'), client_msg_id: clientMsgId, text }),
  z.strictObject({ type: z.literal('typing') }),
  z.strictObject({ type: z.literal('ping') }),
  /** An answer to the rating row under a message with `rating: true` (visitor-rating.ts). */
  z.strictObject({ type: z.literal('rate'), session_id: z.uuid(), score: z.int().min(1).max(5), comment: z.string().trim().max(2000).optional() }),
]);

export type ClientFrame = z.infer<typeof clientFrame>;
