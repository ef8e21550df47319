import type { Deps } from '../../deps.ts';
import { cannedView, createCanned, deleteCanned, getCanned, listCanned, patchCanned } from '../../domain/organization/canned-store.ts';
import { afterCursor, crudRoutes, pageBody } from '../crud.ts';
import { newRouter } from '../router.ts';
import {
  CannedDto,
  CannedList,
  CannedListQuery,
  CannedParams,
  cannedCursor,
  CreateCannedBody,
  DeletedCanned,
  PatchCannedBody,
} from '../schemas/canned.ts';

// /canned-responses*: saved replies for the composer. Reads for admin and agent keys, writes for admins (app.ts).

const canned = crudRoutes({ tags: ['Canned responses'], path: '/canned-responses', params: CannedParams });

const create = canned.create({
  operationId: 'createCannedResponse',
  summary: 'Create a canned response',
  description: 'Admin keys only. A shortcut already used in the organization is a 409.',
  body: CreateCannedBody,
  response: CannedDto,
  says: 'The new canned response',
});

const list = canned.list({
  operationId: 'listCannedResponses',
  summary: 'List or search canned responses, by shortcut A→Z',
  query: CannedListQuery,
  response: CannedList,
  says: 'A page of canned responses',
});

const get = canned.get({
  operationId: 'getCannedResponse',
  summary: 'Get a canned response',
  response: CannedDto,
  says: 'The canned response',
});

const patch = canned.patch({
  operationId: 'updateCannedResponse',
  summary: 'Update a canned response',
  description: 'Admin keys only. Fields given replace the stored ones.',
  body: PatchCannedBody,
  response: CannedDto,
  says: 'The updated canned response',
});

const remove = canned.remove({
  operationId: 'deleteCannedResponse',
  summary: 'Delete a canned response',
  description: 'Admin keys only.',
  response: DeletedCanned,
  says: 'Deleted',
});

export function cannedResponseRoutes(deps: Deps) {
  const app = newRouter();
  const { db } = deps;

  app.openapi(create, async (c) => {
    return c.json(cannedView(await createCanned(db, c.get('auth').orgId, c.req.valid('json'))), 201);
  });

  app.openapi(list, async (c) => {
    const { q, limit, cursor } = c.req.valid('query');
    const page = await listCanned(db, c.get('auth').orgId, q, limit, afterCursor(cursor, cannedCursor));
    return c.json(pageBody(page.items.map(cannedView), page.next), 200);
  });

  app.openapi(get, async (c) => {
    return c.json(cannedView(await getCanned(db, c.get('auth').orgId, c.req.valid('param').id)), 200);
  });

  app.openapi(patch, async (c) => {
    const row = await patchCanned(db, c.get('auth').orgId, c.req.valid('param').id, c.req.valid('json'));
    return c.json(cannedView(row), 200);
  });

  app.openapi(remove, async (c) => {
    await deleteCanned(db, c.get('auth').orgId, c.req.valid('param').id);
    return c.json({ success: true as const }, 200);
  });

  return app;
}
