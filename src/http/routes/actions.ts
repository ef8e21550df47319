import type { Deps } from '../../deps.ts';
import { planImport } from '../../domain/actions/action-import.ts';
import * as store from '../../domain/actions/action-store.ts';
import { AppError, ValidationError } from '../../errors.ts';
import { afterCursor, crudRoutes, pageBody } from '../crud.ts';
import { jsonResponse } from '../openapi-route.ts';
import { newRouter } from '../router.ts';
import {
  ActionDto,
  ActionList,
  ActionListQuery,
  ActionParams,
  actionCursor,
  CreateActionBody,
  DeletedAction,
  DeletedAllActions,
  ImportActionsForm,
  ImportedActions,
  PatchActionBody,
} from '../schemas/actions.ts';

// /actions*: system actions (issue 18 §2). Reads for admin and agent keys (agents pick an action to run in a
// session), writes for admins (app.ts). Running one is POST /chat/sessions/{session_id}/actions/{action_id}/run
// (action-runs.ts). DELETE and PUT on the collection are Open's deleteAllActions and importActionsFromOpenAapiSpec.

const defs = crudRoutes({ tags: ['Actions'], path: '/actions', params: ActionParams });

const create = defs.create({
  operationId: 'createAction',
  summary: 'Define an action',
  description: 'Admin keys only. A name already used in the organization is a 409. Header values are never shown again.',
  body: CreateActionBody,
  response: ActionDto,
  says: 'The new action (header names only)',
});

const list = defs.list({
  operationId: 'listActions',
  summary: 'List actions, by name A→Z',
  query: ActionListQuery,
  response: ActionList,
  says: 'A page of actions (header names only)',
});

const get = defs.get({ operationId: 'getAction', summary: 'Get an action', response: ActionDto, says: 'The action' });

const patch = defs.patch({
  operationId: 'updateAction',
  summary: 'Update an action',
  description: 'Admin keys only. Fields given replace the stored ones; `headers` merge name by name (null removes one).',
  body: PatchActionBody,
  response: ActionDto,
  says: 'The updated action',
});

const remove = defs.remove({ operationId: 'deleteAction', summary: 'Delete an action', description: 'Admin keys only.', response: DeletedAction, says: 'Deleted' });

const removeAll = defs.route({
  method: 'delete',
  path: '/actions',
  operationId: 'deleteAllActions',
  summary: 'Delete all actions',
  description: 'Admin keys only. Every action of the organization, imported or not (Open’s deleteAllActions).',
  responses: { 200: jsonResponse(DeletedAllActions, 'Deleted') },
});

const importSpec = defs.route({
  method: 'put',
  path: '/actions',
  operationId: 'importActionsFromOpenAapiSpec',
  summary: 'Import from OpenAPI file',
  description:
    'Admin keys only. One action per operation of an OpenAPI 3 document in JSON (the `file` field): named by its ' +
    'operationId, at servers[0].url plus the path, its path and query parameters and JSON body as the parameter ' +
    'schema. Names that exist already are skipped (delete them first to re-import). Imported actions are for agents ' +
    'and admins; add `ai` to `run_by` to offer one to the AI, and headers (an API key) with PATCH.',
  request: { body: { required: true, content: { 'multipart/form-data': { schema: ImportActionsForm } } } },
  responses: { 200: jsonResponse(ImportedActions, 'What was created and what was skipped') },
});

async function readDocument(file: File): Promise<unknown> {
  try {
    return JSON.parse(await file.text());
  } catch {
    throw new ValidationError('file: not JSON (the document must be in JSON)', [{ path: 'file', message: 'Not JSON' }]);
  }
}

export function actionRoutes(deps: Deps) {
  const app = newRouter();
  const orgOf = (c: { get(k: 'auth'): { orgId: string } }) => c.get('auth').orgId;

  app.openapi(create, async (c) => c.json(store.actionView(await store.createAction(deps, orgOf(c), c.req.valid('json'))), 201));

  app.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await store.listActions(deps, orgOf(c), limit, afterCursor(cursor, actionCursor));
    return c.json(pageBody(page.items.map(store.actionView), page.next), 200);
  });

  app.openapi(get, async (c) => c.json(store.actionView(await store.getAction(deps, orgOf(c), c.req.valid('param').id)), 200));

  app.openapi(patch, async (c) => {
    const row = await store.patchAction(deps, orgOf(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json(store.actionView(row), 200);
  });

  app.openapi(remove, async (c) => {
    await store.deleteAction(deps, orgOf(c), c.req.valid('param').id);
    return c.json({ success: true as const }, 200);
  });

  app.openapi(removeAll, async (c) => c.json({ success: true as const, deleted: await store.deleteAllActions(deps, orgOf(c)) }, 200));

  app.openapi(importSpec, async (c) => {
    const plan = planImport(await readDocument(c.req.valid('form').file));
    const created = [];
    const skipped = [...plan.skipped];
    for (const action of plan.actions) {
      try {
        created.push(store.actionView(await store.createAction(deps, orgOf(c), action)));
      } catch (err) {
        // One operation that does not fit (a name taken, a schema ajv refuses) does not stop the others.
        if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
        skipped.push({ name: action.name, reason: err.message });
      }
    }
    return c.json({ created, skipped }, 200);
  });

  return app;
}
