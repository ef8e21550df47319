import { z } from '@hono/zod-openapi';
import { ContactDto, contactInput, customData, isoDate, listQuery } from './common.ts';
import { tolerantObject } from './tolerant-object.ts';

// Request and response schemas of /contacts* (Open's names) and POST /widget/authenticate-user.

/** Any 8-4-4-4-12 hex id (what Postgres accepts), so a malformed id is a 400 and never reaches the database. */
const id = z.guid().openapi({ format: 'uuid' });

export const ContactParams = z.object({ contact_id: id.openapi({ param: { name: 'contact_id', in: 'path' } }) });

export const SaveContactBody = tolerantObject({ contact: contactInput }).openapi('SaveContactInput');
export const UpdateContactBody = tolerantObject({ contact: contactInput }).openapi('UpdateContactInput');

export const SavedContact = z.object({ id: z.uuid() }).openapi('SavecontactOutput');
export const DeletedContact = z.object({ success: z.literal(true) }).openapi('DeleteContactOutput');

export const ContactListQuery = listQuery(20, 100).extend({
  created_after: isoDate.optional(),
  created_before: isoDate.optional(),
  updated_after: isoDate.optional(),
  updated_before: isoDate.optional(),
  q: z.string().min(1).max(200).optional().openapi({ description: 'Search name, email and phone number (substring).' }),
  email: z.string().min(1).max(320).optional().openapi({ description: 'Exact email (case-insensitive).' }),
});

export const ContactList = z
  .object({ items: z.array(ContactDto), next: z.string().nullable() })
  .openapi('ListContactsOutput');

// Strict, unlike Open's operations: not in Open's document, and a `custom_data` here (for `customData`) must be a
// 400, not silently dropped.
export const WidgetAuthBody = z
  .strictObject({
    email: z.email().max(320).optional(),
    name: z.string().max(500).optional(),
    phone: z.string().min(1).max(64).optional(),
    avatar_url: z.url({ protocol: /^https?$/ }).max(2048).optional(),
    language: z.string().min(2).max(35).optional().openapi({ description: 'BCP 47 tag, e.g. `en` or `pt-BR`.' }),
    customData: customData.optional().openapi({ description: 'Merged into the contact’s custom_data, key by key.' }),
  })
  .refine((b) => b.email !== undefined || b.phone !== undefined, {
    message: 'Give email or phone: the visitor is found or created by them',
    path: ['email'],
  })
  .openapi('AuthenticateWidgetUserInput');

export const WidgetAuthResult = z
  .object({
    token: z.string().openapi({ description: 'Signed; valid 24 hours. Hand it to the web chat.' }),
    contact: z.object({ id: z.uuid() }),
  })
  .openapi('AuthenticateWidgetUserOutput');
