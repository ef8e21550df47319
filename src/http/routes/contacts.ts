import { createRoute } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { createContact, deleteContact, updateContact } from '../../domain/contacts/contact-commands.ts';
import { getContact, listContacts } from '../../domain/contacts/contact-views.ts';
import { bearerSecurity, errorResponses, idempotencyHeader, newRouter } from '../router.ts';
import { ContactDto, contactDetails, decodeCursor, encodeCursor, timeIdCursor } from '../schemas/common.ts';
import {
  ContactList,
  ContactListQuery,
  ContactParams,
  DeletedContact,
  SavedContact,
  SaveContactBody,
  UpdateContactBody,
} from '../schemas/contacts.ts';

// /contacts*: Open's contacts API (plus GET /contacts/{id}). Auth (admin, agent; DELETE admin only) and
// Idempotency-Key: app.ts.

const tags = ['Contacts'];
const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });

const create = createRoute({
  method: 'post',
  path: '/contacts',
  operationId: 'saveContact',
  summary: 'Create a contact',
  description: 'Always a new contact: an email another contact of the organization has is a 409.',
  tags,
  security: bearerSecurity,
  request: { headers: idempotencyHeader, body: body(SaveContactBody) },
  responses: { 201: json(SavedContact, 'The new contact'), ...errorResponses },
});

const list = createRoute({
  method: 'get',
  path: '/contacts',
  operationId: 'listContacts',
  summary: 'List contacts, newest first',
  tags,
  security: bearerSecurity,
  request: { query: ContactListQuery },
  responses: { 200: json(ContactList, 'A page of contacts'), ...errorResponses },
});

const get = createRoute({
  method: 'get',
  path: '/contacts/{contact_id}',
  operationId: 'getContact',
  summary: 'Get a contact',
  tags,
  security: bearerSecurity,
  request: { params: ContactParams },
  responses: { 200: json(ContactDto, 'The contact'), ...errorResponses },
});

const patch = createRoute({
  method: 'patch',
  path: '/contacts/{contact_id}',
  operationId: 'updateContact',
  summary: 'Update a contact',
  description: 'Given fields replace the stored ones; custom_data merges key by key.',
  tags,
  security: bearerSecurity,
  request: { params: ContactParams, body: body(UpdateContactBody) },
  responses: { 200: json(ContactDto, 'The updated contact'), ...errorResponses },
});

const remove = createRoute({
  method: 'delete',
  path: '/contacts/{contact_id}',
  operationId: 'deleteContact',
  summary: 'Delete a contact',
  description: 'Its channel identities and chat sessions (with their messages) are deleted too. Admin keys only: an agent key gets 403.',
  tags,
  security: bearerSecurity,
  request: { params: ContactParams },
  responses: { 200: json(DeletedContact, 'Deleted'), ...errorResponses },
});

export function contactRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(create, async (c) => {
    const id = await createContact(deps.db, c.get('auth').orgId, contactDetails(c.req.valid('json').contact));
    return c.json({ id }, 201);
  });

  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const page = await listContacts(
      deps.db,
      c.get('auth').orgId,
      {
        createdAfter: q.created_after,
        createdBefore: q.created_before,
        updatedAfter: q.updated_after,
        updatedBefore: q.updated_before,
        q: q.q,
        email: q.email,
      },
      q.limit,
      q.cursor ? decodeCursor(q.cursor, timeIdCursor) : undefined,
    );
    return c.json({ items: page.items, next: page.next ? encodeCursor(page.next) : null }, 200);
  });

  app.openapi(get, async (c) => {
    return c.json(await getContact(deps.db, c.get('auth').orgId, c.req.valid('param').contact_id), 200);
  });

  app.openapi(patch, async (c) => {
    const { orgId } = c.get('auth');
    const { contact_id } = c.req.valid('param');
    await updateContact(deps.db, orgId, contact_id, contactDetails(c.req.valid('json').contact));
    return c.json(await getContact(deps.db, orgId, contact_id), 200);
  });

  app.openapi(remove, async (c) => {
    await deleteContact(deps.db, c.get('auth').orgId, c.req.valid('param').contact_id);
    return c.json({ success: true as const }, 200);
  });

  return app;
}
