import { z } from 'zod';

// The parts of Meta's webhook envelope the adapter reads
// (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components). Objects are not strict: Meta adds
// fields without notice. Items are parsed one by one, so one odd message never hides its batch-mates.

export const envelopeSchema = z.object({
  object: z.string(),
  entry: z
    .array(z.object({ id: z.string().optional(), changes: z.array(z.object({ field: z.string(), value: z.unknown() })).default([]) }))
    .default([]),
});

export const changeValueSchema = z.object({
  metadata: z.object({ phone_number_id: z.string(), display_phone_number: z.string().optional() }),
  contacts: z.array(z.unknown()).default([]),
  messages: z.array(z.unknown()).default([]),
  statuses: z.array(z.unknown()).default([]),
});

export const contactSchema = z.object({
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  profile: z.object({ name: z.string().optional() }).optional(),
});
export type MetaContact = z.infer<typeof contactSchema>;

const mediaSchema = z.object({
  id: z.string().min(1),
  mime_type: z.string().default('application/octet-stream'),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
});
export type MetaMedia = z.infer<typeof mediaSchema>;

const reply = z.object({ id: z.string().optional(), title: z.string() });

export const messageSchema = z.object({
  id: z.string().min(1),
  from: z.string().optional(),
  /** Business-scoped user id (usernames, 2026): present even when the phone number is hidden. */
  user_id: z.string().optional(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  image: mediaSchema.optional(),
  audio: mediaSchema.optional(),
  video: mediaSchema.optional(),
  document: mediaSchema.optional(),
  sticker: mediaSchema.optional(),
  location: z.object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }).optional(),
  interactive: z.object({ type: z.string().optional(), button_reply: reply.optional(), list_reply: reply.optional() }).optional(),
  button: z.object({ text: z.string(), payload: z.string().optional() }).optional(),
  contacts: z
    .array(
      z.object({
        name: z.object({ formatted_name: z.string().optional() }).optional(),
        phones: z.array(z.object({ phone: z.string().optional() })).optional(),
      })
    )
    .optional(),
});
export type MetaMessage = z.infer<typeof messageSchema>;

export const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  /** What send() set on the message (our message id), echoed in its statuses. */
  biz_opaque_callback_data: z.string().optional(),
  errors: z
    .array(
      z.object({
        code: z.number().optional(),
        title: z.string().optional(),
        message: z.string().optional(),
        error_data: z.object({ details: z.string().optional() }).optional(),
      })
    )
    .optional(),
});
export type MetaStatus = z.infer<typeof statusSchema>;
