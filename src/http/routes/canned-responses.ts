import { createRoute } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { cannedView, createCanned, deleteCanned, getCanned, listCanned, patchCanned } from '../../domain/organization/canned-store.ts';
import { bearerSecurity, errorResponses, idempotencyHeader, newRouter } from '../router.ts';
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
import { decodeCursor, encodeCursor } from '../schemas/common.ts';

// /canned-responses*: saved replies for the composer. Reads for admin and agent keys, writes for admins (app.ts).

const tags = ['Canned responses'];
const security = bearerSecurity;
const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
const params = CannedParams;
const route = <R extends Parameters<typeof createRoute>[0]>(r: R) => createRoute({ tags, security, ...r });

const create = route({
  method: 'post',
  path: '/canned-responses',
  operationId: 'createCannedResponse',
  summary: 'Create a canned response',
  description: 'Admin keys only. A shortcut already used in the organization is a 409.',
  request: { headers: idempotencyHeader, body: body(CreateCannedBody) },
  responses: { 201: json(CannedDto, 'The new canned response'), ...errorResponses },
});

const list = route({
  method: 'get',
  path: '/canned-responses',
  operationId: 'listCannedResponses',
  summary: 'List or search canned responses, by shortcut A→Z',
  request: { query: CannedListQuery },
  responses: { 200: json(CannedList, 'A page of canned responses'), ...errorResponses },
});

const get = route({
  method: 'get',
  path: '/canned-responses/{id}',
  operationId: 'getCannedResponse',
  summary: 'Get a canned response',
  request: { params },
  responses: { 200: json(CannedDto, 'The canned response'), ...errorResponses },
});

const patch = route({
  method: 'patch',
  path: '/canned-responses/{id}',
  operationId: 'updateCannedResponse',
  summary: 'Update a canned response',
  description: 'Admin keys only. Fields given replace the stored ones.',
  request: { params, body: body(PatchCannedBody) },
  responses: { 200: json(CannedDto, 'The updated canned response'), ...errorResponses },
});

const remove = route({
  method: 'delete',
  path: '/canned-responses/{id}',
  operationId: 'deleteCannedResponse',
  summary: 'Delete a canned response',
  description: 'Admin keys only.',
  request: { params },
  responses: { 200: json(DeletedCanned, 'Deleted'), ...errorResponses },
});

export function cannedResponseRoutes(deps: Deps) {
  const app = newRouter();
  const { db } = deps;

  app.openapi(create, async (c) => {
    return c.json(cannedView(await createCanned(db, c.get('auth').orgId, c.req.valid('json'))), 201);
  });

  app.openapi(list, async (c) => {
    const { q, limit, cursor } = c.req.valid('query');
    const after = cursor ? decodeCursor(cursor, cannedCursor) : undefined;
    const page = await listCanned(db, c.get('auth').orgId, q, limit, after);
    return c.json({ items: page.items.map(cannedView), next: page.next ? encodeCursor(page.next) : null }, 200);
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
