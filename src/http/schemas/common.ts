import { z } from '@hono/zod-openapi';
import { CHANNEL_KINDS } from '../../domain/model/enums.ts';
import { customDataSchema } from '../../domain/contacts/custom-data.ts';
import { ValidationError } from '../../errors.ts';
import { tolerantObject } from './tolerant-object.ts';

// Zod pieces shared by the Open-compatible routes (/chat/sessions*, /contacts*).

/** Flat custom_data (string, number, boolean values); a nested object is a 400. Writes merge key by key. */
// `.meta` (zod's own), not `.openapi`: the domain schema may be built before @hono/zod-openapi extends zod.
export const customData = customDataSchema.meta({
  id: 'CustomData',
  description: 'Flat object: string, number or boolean values. Writes merge key by key.',
  example: { plan: 'pro' },
});

/**
 * Postgres text and jsonb cannot hold NUL (U+0000): a superRefine for whole request schemas that turns any NUL,
 * in a value or a key, into a 400 with its path instead of a failed insert (a 500).
 */
export function rejectNul(value: unknown, ctx: z.RefinementCtx, path: PropertyKey[] = []): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) ctx.addIssue({ code: 'custom', path, message: 'Must not contain NUL characters' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => rejectNul(v, ctx, [...path, i]));
  } else if (value && typeof value === 'object' && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) ctx.addIssue({ code: 'custom', path, message: 'Keys must not contain NUL characters' });
      rejectNul(v, ctx, [...path, k]);
    }
  }
}

/** A uuid path/body id. */
export const uuid = z.uuid();

/** Contact details given in a request. Open spells the phone `phone` on /contacts, `phone_number` on sessions: both work. */
export const contactInput = tolerantObject({
    email: z.email().max(320).optional(),
    name: z.string().max(500).optional(),
    phone: z.string().min(1).max(64).optional(),
    phone_number: z.string().min(1).max(64).optional(),
    avatar_url: z.url({ protocol: /^https?$/ }).max(2048).optional(),
    custom_data: customData.optional(),
  })
  .openapi('ContactInput');
export type ContactInput = z.infer<typeof contactInput>;

/** ContactInput → the domain's ContactDetails (see src/domain/contacts/contacts.ts); absent keys stay absent. */
export function contactDetails(c: ContactInput | undefined) {
  return {
    name: c?.name,
    email: c?.email,
    phone: c?.phone_number ?? c?.phone,
    avatarUrl: c?.avatar_url,
    customData: c?.custom_data,
  };
}

/** `?cursor=&limit=` for `{ items, next }` lists. The cursor is opaque (see encodeCursor). */
export function listQuery(defaultLimit = 20, maxLimit = 100) {
  return z.object({
    cursor: z.string().max(1000).optional().openapi({ description: 'The `next` of the previous page.' }),
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
  });
}

/** A timestamp in a query string or body, in every form real clients send (timestamp.ts). */
export { timestamp as isoDate } from './timestamp.ts';

/**
 * A (timestamp, id) keyset position as a decoded cursor carries it (src/db/keyset.ts TimeIdCursor): Postgres
 * timestamp text, µs kept, checked before SQL casts it back, and the id.
 */
export const timeIdCursor = z.tuple([
  z.string().regex(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2}){0,2}|Z)?$/),
  z.guid(),
]);

/** Opaque keyset cursor: base64url JSON of the last row's sort key. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor and checks its shape; anything else is a 400. */
export function decodeCursor<T>(raw: string, shape: z.ZodType<T>): T {
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: not base64url JSON
  }
  throw new ValidationError('Invalid cursor', [{ path: 'cursor', message: 'Invalid cursor' }]);
}

/** Open's Contact, plus Switchboard's identities and opted_out. */
export const ContactDto = z
  .object({
    id: z.uuid(),
    email: z.string().nullable(),
    phone_number: z.string().nullable(),
    name: z.string().nullable(),
    avatar_url: z.string().nullable(),
    custom_data: customData.nullable(),
    non_verified_name: z.string().nullable(),
    non_verified_email: z.string().nullable(),
    non_verified_custom_data: customData.nullable(),
    verified: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
    identities: z.array(z.object({ channel_type: z.enum(CHANNEL_KINDS), address: z.string() })),
    opted_out: z.array(z.enum(CHANNEL_KINDS)),
  })
  .openapi('Contact');
// The view itself is domain code; re-exported here for the routes.
export { type ContactJson, type ContactRowLike, contactView } from '../../domain/contacts/contact-view.ts';
