import { z } from 'zod';

// A web chat channel's settings (docs/web-chat.md). Every field has a default, so `{}` is a working channel that
// the demo page (on Switchboard's own origin) can use at once.

const MAX_FILE_BYTES = 25 * 1024 * 1024;

/** `https://shop.example.com`, `https://*.example.com` (any subdomain), or `*` (any site). */
const originPattern = z
  .string()
  .regex(/^(\*|https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?)$/i, 'Expected an origin such as https://shop.example.com, https://*.example.com or *')
  .transform((s) => s.toLowerCase());

const mimePattern = z.string().regex(/^[a-z]+\/([a-z0-9.+-]+|\*)$/i, 'Expected a MIME type such as image/png or image/*');

export const webConfigSchema = z.strictObject({
  allowed_origins: z.array(originPattern).max(100).default([]),
  theme: z
    .strictObject({
      color: z.string().regex(/^#[0-9a-f]{6}$/i, 'Expected a colour such as #4f46e5').default('#4f46e5'),
      position: z.enum(['right', 'left']).default('right'),
      title: z.string().min(1).max(60).default('Support'),
      greeting: z.string().max(500).default('Hi! How can we help?'),
      ai_name: z.string().min(1).max(60).default('Assistant'),
    })
    .prefault({}),
  files: z
    .strictObject({
      max_bytes: z.number().int().positive().max(MAX_FILE_BYTES).default(10 * 1024 * 1024),
      allowed_types: z.array(mimePattern).max(50).default(['image/*', 'application/pdf', 'text/plain']),
    })
    .prefault({}),
  max_text_length: z.number().int().min(1).max(20_000).default(4000),
  rate_limits: z
    .strictObject({
      /** Messages per visitor, and per address for all of its visitors. */
      visitor_per_minute: z.number().int().min(1).max(10_000).default(30),
      ip_per_minute: z.number().int().min(1).max(100_000).default(120),
      /** New anonymous visitors (each a new contact) per address, and for the whole channel. */
      new_visitors_ip_per_minute: z.number().int().min(1).max(100_000).default(20),
      new_visitors_per_minute: z.number().int().min(1).max(1_000_000).default(600),
    })
    .prefault({}),
  /** Enables `user_id` + `user_hash` identity verification (HMAC-SHA256 hex); a secret field. */
  identity_secret: z.string().min(16, 'Use at least 16 characters').max(200).optional(),
});

export type WebConfig = z.infer<typeof webConfigSchema>;
