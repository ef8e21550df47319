import type { Deps } from '../../deps.ts';
import { apiKeyView, createApiKey, listApiKeys, revokeApiKey } from '../../domain/organization/api-key-store.ts';
import { afterCursor, crudRoutes, pageBody } from '../crud.ts';
import { markOneTimeSecrets } from '../one-time-secrets.ts';
import { newRouter } from '../router.ts';
import { ApiKeyList, ApiKeyListQuery, ApiKeyParams, CreateApiKeyBody, CreatedApiKey, RevokedApiKey } from '../schemas/api-keys.ts';
import { timeIdCursor } from '../schemas/common.ts';

// /api-keys*: Switchboard's own admin resource (admin keys and Idempotency-Key: app.ts).

const keys = crudRoutes({ tags: ['API keys'], path: '/api-keys', params: ApiKeyParams });

const create = keys.create({
  operationId: 'createApiKey',
  summary: 'Create an API key',
  description:
    'The response is the only time the key is shown: only its hash is stored. An Idempotency-Key replay answers ' +
    'the same, with `key` null and `secret_shown_once` saying so.',
  body: CreateApiKeyBody,
  response: CreatedApiKey,
  says: 'The new key',
});

const list = keys.list({
  operationId: 'listApiKeys',
  summary: 'List active API keys, newest first',
  query: ApiKeyListQuery,
  response: ApiKeyList,
  says: 'A page of keys (never the keys themselves)',
});

const revoke = keys.remove({
  operationId: 'revokeApiKey',
  summary: 'Revoke an API key',
  description: 'It stops working at once. The last admin key of an organization cannot be revoked (409).',
  response: RevokedApiKey,
  says: 'Revoked',
});

export function apiKeyRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(create, async (c) => {
    const { name, role, agent_id } = c.req.valid('json');
    const { key, row } = await createApiKey(deps.db, c.get('auth').orgId, { name, role, agentId: agent_id });
    const { last_used_at: _unused, ...view } = apiKeyView(row);
    markOneTimeSecrets(c, ['key'], 'revoke this key (DELETE /api-keys/{id}) and create another');
    return c.json({ ...view, key }, 201);
  });

  app.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await listApiKeys(deps.db, c.get('auth').orgId, limit, afterCursor(cursor, timeIdCursor));
    return c.json(pageBody(page.items.map(apiKeyView), page.next), 200);
  });

  app.openapi(revoke, async (c) => {
    const { id } = c.req.valid('param');
    await revokeApiKey(deps.db, c.get('auth').orgId, id);
    // This process stops accepting it now; others within the resolver's cache TTL (src/http/middleware/auth.ts).
    deps.keys.forgetKeyId(id);
    return c.json({ success: true as const }, 200);
  });

  return app;
}
