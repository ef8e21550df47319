import type { Deps } from '../../deps.ts';
import { getAiSettings, patchAiSettings } from '../../domain/organization/ai-settings.ts';
import { bearerRoutes, jsonBody, jsonResponse } from '../openapi-route.ts';
import { newRouter } from '../router.ts';
import { AiSettingsDto, PatchAiSettingsBody } from '../schemas/settings.ts';

// /settings/ai: the organization's AI responder and handoff rules (admin keys: app.ts).

const route = bearerRoutes(['Settings']);

const get = route({
  method: 'get',
  path: '/settings/ai',
  operationId: 'getAiSettings',
  summary: 'Get the AI settings',
  description: 'The defaults overlaid with what was set. The model API key is never returned: `api_key_set` says whether there is one.',
  responses: { 200: jsonResponse(AiSettingsDto, 'The AI settings') },
});

const patch = route({
  method: 'patch',
  path: '/settings/ai',
  operationId: 'updateAiSettings',
  summary: 'Update the AI settings',
  request: { body: jsonBody(PatchAiSettingsBody) },
  responses: { 200: jsonResponse(AiSettingsDto, 'The AI settings now') },
});

export function settingsRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(get, async (c) => c.json(await getAiSettings(deps.db, c.get('auth').orgId), 200));

  app.openapi(patch, async (c) => {
    return c.json(await patchAiSettings(deps, c.get('auth').orgId, c.req.valid('json')), 200);
  });

  return app;
}
