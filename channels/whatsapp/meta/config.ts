import { z } from 'zod';
import type { ChannelCapabilities } from '../../../src/domain/model/adapter.ts';

// A WhatsApp Cloud API channel (docs/sms-whatsapp-phone.md). The ids and secrets come from the Meta app's WhatsApp
// setup page; api_base_url exists so a sandbox (channels/whatsapp/meta/peer/meta-peer.ts) or a proxy can stand in for
// graph.facebook.com.

const secret = (what: string) => z.string().min(1, `The ${what} is required`).max(4096);

export const metaConfigSchema = z.strictObject({
  phone_number_id: z.string().regex(/^\d{1,32}$/, 'Expected the numeric phone number id shown in WhatsApp Manager'),
  access_token: secret('access token'),
  app_secret: secret('app secret'),
  verify_token: secret('verify token'),
  api_base_url: z
    .url({ protocol: /^https?$/, error: 'Expected an http(s) URL such as https://graph.facebook.com' })
    .transform((s) => s.replace(/\/+$/, ''))
    .default('https://graph.facebook.com'),
  api_version: z
    .string()
    .regex(/^v\d+\.\d+$/, 'Expected a Graph API version such as v21.0')
    .default('v21.0'),
  /** Sent instead of free-form text once the 24-hour customer-service window has closed. */
  fallback_template: z
    .strictObject({
      name: z.string().min(1).max(512),
      language: z.string().min(2).max(16).default('en_US'),
      /** Passed to Meta as-is (header/body/button parameters). */
      components: z.array(z.unknown()).max(50).optional(),
    })
    .optional(),
});

export type MetaConfig = z.infer<typeof metaConfigSchema>;

export const metaSecretFields = ['access_token', 'app_secret', 'verify_token'] as const;

/** Graph API calls and media downloads carry the access token; the app secret and verify token only check webhooks. */
export const metaCredentialDestinations = { api_base_url: ['access_token'] } as const;

export const metaCapabilities: ChannelCapabilities = {
  maxTextLength: 4096,
  textFormat: 'plain',
  replyWindowMs: 24 * 60 * 60 * 1000,
  threads: false,
  threadsByHeaders: false,
  attachments: true,
  // After a crash mid-send: Meta echoes biz_opaque_callback_data (our message id) in status webhooks.
  resend: 'reports',
  csat: 'digits',
};

/** Where a Graph object (a phone number's messages edge, a media id) lives for this channel. */
export function graphUrl(config: MetaConfig, path: string): string {
  return `${config.api_base_url}/${config.api_version}/${path}`;
}
