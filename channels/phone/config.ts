import { z } from 'zod';

// A phone (Twilio Voice) channel's settings. Only the credentials and the number are required: every spoken line
// has a default so a fresh channel answers calls at once.

export const phoneConfigSchema = z.strictObject({
  account_sid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'Expected a Twilio Account SID: AC followed by 32 hex digits'),
  /** A secret field: signs every webhook and authenticates recording downloads. */
  auth_token: z.string().min(1).max(200),
  /** The channel's own number: the caller id Twilio shows when a call is transferred. */
  from: z.string().regex(/^\+[1-9]\d{1,14}$/, 'Expected an E.164 number such as +18005550100'),
  api_base_url: z
    .url({ protocol: /^https?$/ })
    .default('https://api.twilio.com')
    .transform((s) => s.replace(/\/+$/, '')),
  greeting: z.string().min(1).max(1000).default('Hi, thanks for calling. How can I help you today?'),
  /** BCP 47, for both speech recognition and <Say>. */
  language: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'Expected a language tag such as en-US')
    .default('en-US'),
  /** A Twilio voice, e.g. Polly.Joanna; Twilio's default voice when absent. */
  voice: z.string().min(1).max(100).optional(),
  hold_text: z.string().min(1).max(500).default('One moment, please.'),
  /** Record the whole call (both legs); the recording arrives as an attachment of the call's conversation. */
  record: z.boolean().default(false),
  /** How many holding loops (about 3 s each) before apologising and listening again. */
  max_wait_redirects: z.number().int().min(1).max(100).default(6),
  transfer_fail_text: z.string().min(1).max(500).default('Sorry, nobody is available right now. Please try again later.'),
});

export type PhoneConfig = z.infer<typeof phoneConfigSchema>;
