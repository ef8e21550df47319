import { createRoute } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { apiKeyView, createApiKey, listApiKeys, revokeApiKey } from '../../domain/organization/api-key-store.ts';
import { markOneTimeSecrets } from '../one-time-secrets.ts';
import { bearerSecurity, errorResponses, idempotencyHeader, newRouter } from '../router.ts';
import {
  ApiKeyList,
  ApiKeyListQuery,
  ApiKeyParams,
  CreateApiKeyBody,
  CreatedApiKey,
  RevokedApiKey,
} from '../schemas/api-keys.ts';
import { decodeCursor, encodeCursor, timeIdCursor } from '../schemas/common.ts';

// /api-keys*: Switchboard's own admin resource (admin keys and Idempotency-Key: app.ts).

const tags = ['API keys'];
const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

const create = createRoute({
  method: 'post',
  path: '/api-keys',
  operationId: 'createApiKey',
  summary: 'Create an API key',
  description:
    'The response is the only time the key is shown: only its hash is stored. An Idempotency-Key replay answers ' +
    'the same, with `key` null and `secret_shown_once` saying so.',
  tags,
  security: bearerSecurity,
  request: {
    headers: idempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: CreateApiKeyBody } } },
  },
  responses: { 201: json(CreatedApiKey, 'The new key'), ...errorResponses },
});

const list = createRoute({
  method: 'get',
  path: '/api-keys',
  operationId: 'listApiKeys',
  summary: 'List active API keys, newest first',
  tags,
  security: bearerSecurity,
  request: { query: ApiKeyListQuery },
  responses: { 200: json(ApiKeyList, 'A page of keys (never the keys themselves)'), ...errorResponses },
});

const revoke = createRoute({
  method: 'delete',
  path: '/api-keys/{id}',
  operationId: 'revokeApiKey',
  summary: 'Revoke an API key',
  description: 'It stops working at once. The last admin key of an organization cannot be revoked (409).',
  tags,
  security: bearerSecurity,
  request: { params: ApiKeyParams },
  responses: { 200: json(RevokedApiKey, 'Revoked'), ...errorResponses },
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
    const after = cursor ? decodeCursor(cursor, timeIdCursor) : undefined;
    const page = await listApiKeys(deps.db, c.get('auth').orgId, limit, after);
    return c.json({ items: page.items.map(apiKeyView), next: page.next ? encodeCursor(page.next) : null }, 200);
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
