import { z } from 'zod';

// The config fields every Twilio Messaging channel shares (SMS and WhatsApp), and the cross-field rules zod cannot
// express per field. Each kind adds its own `from` format on top (channels/sms/config.ts, channels/whatsapp/twilio/config.ts).

export const E164 = /^\+[1-9]\d{6,14}$/;

const sid = (prefix: string, what: string) =>
  z.string().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `Expected ${what} (${prefix} followed by 32 hex digits)`);

export const DEFAULT_TWILIO_API_BASE_URL = 'https://api.twilio.com';
export const DEFAULT_HELP_TEXT = 'Reply STOP to unsubscribe. Msg&data rates may apply.';

/** Spread into a kind's z.strictObject. */
export const twilioAccountFields = {
  account_sid: sid('AC', 'an Account SID'),
  /** Also the key of every webhook signature, so it is required even when an API key makes the REST calls. */
  auth_token: z.string().trim().min(1, 'The Auth Token is required: Twilio signs every webhook with it'),
  api_key_sid: sid('SK', 'an API Key SID').optional(),
  api_key_secret: z.string().trim().min(1).optional(),
  messaging_service_sid: sid('MG', 'a Messaging Service SID').optional(),
  api_base_url: z
    .url({ protocol: /^https?$/, error: 'Expected an http(s) URL such as https://api.twilio.com' })
    .transform((u) => u.replace(/\/+$/, ''))
    .default(DEFAULT_TWILIO_API_BASE_URL),
  help_text: z.string().trim().min(1).max(1600).default(DEFAULT_HELP_TEXT),
};

/** The fields shared code reads, whatever the kind. */
export interface TwilioMessagingConfig {
  account_sid: string;
  auth_token: string;
  api_key_sid?: string | undefined;
  api_key_secret?: string | undefined;
  from?: string | undefined;
  messaging_service_sid?: string | undefined;
  api_base_url: string;
  help_text: string;
  fallback_template?: { content_sid: string; variables?: Record<string, string> | undefined } | undefined;
}

interface SenderFields {
  from?: string | undefined;
  messaging_service_sid?: string | undefined;
  api_key_sid?: string | undefined;
  api_key_secret?: string | undefined;
}

/** Exactly one sender, and an API key only as a pair (half a key would silently fall back to the token). */
export function checkSenderAndKey(cfg: SenderFields, ctx: z.RefinementCtx): void {
  if (cfg.from && cfg.messaging_service_sid) {
    ctx.addIssue({
      code: 'custom',
      path: ['messaging_service_sid'],
      message: 'Give either from or messaging_service_sid, not both',
    });
  } else if (!cfg.from && !cfg.messaging_service_sid) {
    ctx.addIssue({
      code: 'custom',
      path: ['from'],
      message: 'Required: from (your Twilio sender) or messaging_service_sid',
    });
  }
  if (cfg.api_key_sid && !cfg.api_key_secret) {
    ctx.addIssue({ code: 'custom', path: ['api_key_secret'], message: 'Required with api_key_sid' });
  }
  if (cfg.api_key_secret && !cfg.api_key_sid) {
    ctx.addIssue({ code: 'custom', path: ['api_key_sid'], message: 'Required with api_key_secret' });
  }
}
