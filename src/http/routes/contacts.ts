import type { Deps } from '../../deps.ts';
import { createContact, deleteContact, updateContact } from '../../domain/contacts/contact-commands.ts';
import { getContact, listContacts } from '../../domain/contacts/contact-views.ts';
import { afterCursor, crudRoutes, pageBody } from '../crud.ts';
import { newRouter } from '../router.ts';
import { ContactDto, contactDetails, timeIdCursor } from '../schemas/common.ts';
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

const contacts = crudRoutes({ tags: ['Contacts'], path: '/contacts', itemPath: '/contacts/{contact_id}', params: ContactParams });

const create = contacts.create({
  operationId: 'saveContact',
  summary: 'Create a contact',
  description: 'Always a new contact: an email another contact of the organization has is a 409.',
  body: SaveContactBody,
  response: SavedContact,
  says: 'The new contact',
});

const list = contacts.list({
  operationId: 'listContacts',
  summary: 'List contacts, newest first',
  query: ContactListQuery,
  response: ContactList,
  says: 'A page of contacts',
});

const get = contacts.get({ operationId: 'getContact', summary: 'Get a contact', response: ContactDto, says: 'The contact' });

const patch = contacts.patch({
  operationId: 'updateContact',
  summary: 'Update a contact',
  description: 'Given fields replace the stored ones; custom_data merges key by key.',
  body: UpdateContactBody,
  response: ContactDto,
  says: 'The updated contact',
});

const remove = contacts.remove({
  operationId: 'deleteContact',
  summary: 'Delete a contact',
  description: 'Its channel identities and chat sessions (with their messages) are deleted too. Admin keys only: an agent key gets 403.',
  response: DeletedContact,
  says: 'Deleted',
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
      afterCursor(q.cursor, timeIdCursor),
    );
    return c.json(pageBody(page.items, page.next), 200);
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
