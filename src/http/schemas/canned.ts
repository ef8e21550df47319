import { z } from '@hono/zod-openapi';
import { listQuery, rejectNul } from './common.ts';

// Request and response schemas of /canned-responses* (saved replies agents insert into the composer).

const id = z.guid().openapi({ format: 'uuid' });
const noNul = (s: string) => !s.includes('\u0000');
const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

export const CannedParams = z.object({ id: id.openapi({ param: { name: 'id', in: 'path' } }) });

/** Lowercased before the check, so `Refund` is stored as `refund`; a leading `/` is not part of it. */
const shortcut = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(50)
  .regex(SLUG, 'Lowercase letters, digits, - and _ only (e.g. refund-policy)')
  .openapi({ description: 'What agents type after `/` in the reply box: a lowercase slug, unique per organization.', example: 'refund-policy' });

const cannedFields = {
  shortcut,
  title: z.string().trim().min(1).max(200),
  // Not trimmed: a reply's line breaks and indentation are the author's; blank is still refused.
  body: z.string().max(20_000).refine((s) => s.trim().length > 0, 'Must not be blank'),
};

export const CreateCannedBody = z
  .strictObject(cannedFields)
  .superRefine((v, ctx) => rejectNul(v, ctx))
  .openapi('CreateCannedResponseInput');

export const PatchCannedBody = z
  .strictObject(cannedFields)
  .partial()
  .superRefine((v, ctx) => rejectNul(v, ctx))
  .openapi('UpdateCannedResponseInput');

export const CannedDto = z
  .object({
    id: z.uuid(),
    shortcut: z.string(),
    title: z.string(),
    body: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('CannedResponse');

export const CannedListQuery = listQuery(50, 200).extend({
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine(noNul, 'Must not contain NUL characters')
    .optional()
    .openapi({ description: 'Case-insensitive substring of the shortcut, title or body.' }),
});
export const CannedList = z.object({ items: z.array(CannedDto), next: z.string().nullable() }).openapi('ListCannedResponsesOutput');

/** Keyset position in the A→Z list: the last shortcut of the page (unique per organization). */
export const cannedCursor = z.tuple([z.string().min(1).max(50).regex(SLUG)]);

export const DeletedCanned = z.object({ success: z.literal(true) }).openapi('DeleteCannedResponseOutput');
