import { z } from 'zod';
import { checkSenderAndKey, E164, twilioAccountFields } from '../shared/twilio/config.ts';

// An SMS/MMS channel on Twilio: a phone number (`from`) or a Messaging Service that picks one.

export const smsConfigSchema = z
  .strictObject({
    ...twilioAccountFields,
    from: z.string().trim().regex(E164, 'Expected an E.164 number such as +14155550100').optional(),
  })
  .superRefine(checkSenderAndKey);

export type SmsConfig = z.infer<typeof smsConfigSchema>;
