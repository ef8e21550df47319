import { z } from 'zod';
import { checkSenderAndKey, twilioAccountFields } from '../../shared/twilio/config.ts';

// A WhatsApp sender on Twilio. Twilio addresses WhatsApp as `whatsapp:+E164`; admins often paste the bare number,
// so both are accepted and stored in Twilio's form (idempotent: stored configs are validated again when opened).

const whatsappSender = z
  .string()
  .trim()
  .regex(/^(whatsapp:)?\+[1-9]\d{6,14}$/, 'Expected a WhatsApp sender such as whatsapp:+14155238886')
  .transform((s) => (s.startsWith('whatsapp:') ? s : `whatsapp:${s}`));

export const whatsappTwilioConfigSchema = z
  .strictObject({
    ...twilioAccountFields,
    from: whatsappSender.optional(),
    /** An approved template (Content API) sent instead of free text once the 24-hour window has closed. */
    fallback_template: z
      .strictObject({
        content_sid: z.string().regex(/^HX[0-9a-fA-F]{32}$/, 'Expected a Content SID (HX followed by 32 hex digits)'),
        variables: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
  })
  .superRefine(checkSenderAndKey);

export type WhatsappTwilioConfig = z.infer<typeof whatsappTwilioConfigSchema>;
