import { createRoute } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { getAiSettings, patchAiSettings } from '../../domain/organization/ai-settings.ts';
import { bearerSecurity, errorResponses, newRouter } from '../router.ts';
import { AiSettingsDto, PatchAiSettingsBody } from '../schemas/settings.ts';

// /settings/ai: the organization's AI responder and handoff rules (admin keys: app.ts).

const tags = ['Settings'];
const security = bearerSecurity;
const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

const get = createRoute({
  method: 'get',
  path: '/settings/ai',
  operationId: 'getAiSettings',
  summary: 'Get the AI settings',
  description: 'The defaults overlaid with what was set. The model API key is never returned: `api_key_set` says whether there is one.',
  tags,
  security,
  responses: { 200: json(AiSettingsDto, 'The AI settings'), ...errorResponses },
});

const patch = createRoute({
  method: 'patch',
  path: '/settings/ai',
  operationId: 'updateAiSettings',
  summary: 'Update the AI settings',
  tags,
  security,
  request: { body: { required: true, content: { 'application/json': { schema: PatchAiSettingsBody } } } },
  responses: { 200: json(AiSettingsDto, 'The AI settings now'), ...errorResponses },
});

export function settingsRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(get, async (c) => c.json(await getAiSettings(deps.db, c.get('auth').orgId), 200));

  app.openapi(patch, async (c) => {
    return c.json(await patchAiSettings(deps, c.get('auth').orgId, c.req.valid('json')), 200);
  });

  return app;
}
