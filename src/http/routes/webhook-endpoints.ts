import { createRoute } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import * as store from '../../domain/webhooks/webhook-endpoint-store.ts';
import { markOneTimeSecrets } from '../one-time-secrets.ts';
import { bearerSecurity, errorResponses, idempotencyHeader, newRouter } from '../router.ts';
import { decodeCursor, encodeCursor, timeIdCursor } from '../schemas/common.ts';
import {
  CreateWebhookEndpointBody,
  PatchWebhookEndpointBody,
  Success,
  WebhookDeliveryList,
  WebhookDeliveryListQuery,
  WebhookDeliveryParams,
  WebhookEndpointDto,
  WebhookEndpointList,
  WebhookEndpointListQuery,
  WebhookEndpointParams,
  WebhookEndpointWithSecret,
} from '../schemas/webhook-endpoints.ts';

// /webhook-endpoints*: Switchboard's own admin resource (admin keys and Idempotency-Key: app.ts).

const tags = ['Webhook endpoints'];
const security = bearerSecurity;
const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
const params = WebhookEndpointParams;
const route = <R extends Parameters<typeof createRoute>[0]>(r: R) => createRoute({ tags, security, ...r });

const create = route({
  method: 'post',
  path: '/webhook-endpoints',
  operationId: 'createWebhookEndpoint',
  summary: 'Subscribe a URL to events',
  description:
    'The response is the only time the signing secret is shown (an Idempotency-Key replay has `secret` null and ' +
    '`secret_shown_once`). Deliveries are signed per Standard Webhooks.',
  request: { headers: idempotencyHeader, body: body(CreateWebhookEndpointBody) },
  responses: { 201: json(WebhookEndpointWithSecret, 'The new endpoint, with its secret'), ...errorResponses },
});

const list = route({
  method: 'get',
  path: '/webhook-endpoints',
  operationId: 'listWebhookEndpoints',
  summary: 'List webhook endpoints, oldest first',
  request: { query: WebhookEndpointListQuery },
  responses: { 200: json(WebhookEndpointList, 'A page of endpoints (never their secrets)'), ...errorResponses },
});

const get = route({
  method: 'get',
  path: '/webhook-endpoints/{id}',
  operationId: 'getWebhookEndpoint',
  summary: 'Get a webhook endpoint',
  request: { params },
  responses: { 200: json(WebhookEndpointDto, 'The endpoint'), ...errorResponses },
});

const patch = route({
  method: 'patch',
  path: '/webhook-endpoints/{id}',
  operationId: 'updateWebhookEndpoint',
  summary: 'Update a webhook endpoint',
  request: { params, body: body(PatchWebhookEndpointBody) },
  responses: { 200: json(WebhookEndpointDto, 'The updated endpoint'), ...errorResponses },
});

const remove = route({
  method: 'delete',
  path: '/webhook-endpoints/{id}',
  operationId: 'deleteWebhookEndpoint',
  summary: 'Delete a webhook endpoint and its delivery log',
  request: { params },
  responses: { 200: json(Success, 'Deleted'), ...errorResponses },
});

const rotate = route({
  method: 'post',
  path: '/webhook-endpoints/{id}/rotate-secret',
  operationId: 'rotateWebhookEndpointSecret',
  summary: 'Replace the signing secret',
  description:
    'The new secret is shown only here (an Idempotency-Key replay has `secret` null and `secret_shown_once`). ' +
    'For 24 hours the old one signs too (a second `v1,` signature).',
  request: { params, headers: idempotencyHeader },
  responses: { 200: json(WebhookEndpointWithSecret, 'The endpoint, with its new secret'), ...errorResponses },
});

const deliveries = route({
  method: 'get',
  path: '/webhook-endpoints/{id}/deliveries',
  operationId: 'listWebhookDeliveries',
  summary: 'Delivery attempts, newest first',
  request: { params, query: WebhookDeliveryListQuery },
  responses: { 200: json(WebhookDeliveryList, 'A page of attempts'), ...errorResponses },
});

const retry = route({
  method: 'post',
  path: '/webhook-endpoints/{id}/deliveries/{delivery_id}/retry',
  operationId: 'retryWebhookDelivery',
  summary: 'Deliver this attempt’s event again, now',
  description: '409 if the event was already delivered to this endpoint or the endpoint is disabled.',
  request: { params: WebhookDeliveryParams, headers: idempotencyHeader },
  responses: { 202: json(Success, 'Queued'), ...errorResponses },
});

export function webhookEndpointRoutes(deps: Deps) {
  const app = newRouter();
  const orgOf = (c: { get(k: 'auth'): { orgId: string } }) => c.get('auth').orgId;

  app.openapi(create, async (c) => {
    const { row, secret } = await store.createEndpoint(deps, orgOf(c), c.req.valid('json'));
    markOneTimeSecrets(c, ['secret'], 'rotate it (POST /webhook-endpoints/{id}/rotate-secret)');
    return c.json({ ...store.endpointView(row), secret }, 201);
  });

  app.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const after = cursor ? decodeCursor(cursor, timeIdCursor) : undefined;
    const page = await store.listEndpoints(deps, orgOf(c), limit, after);
    return c.json({ items: page.items.map(store.endpointView), next: page.next ? encodeCursor(page.next) : null }, 200);
  });

  app.openapi(get, async (c) => {
    return c.json(store.endpointView(await store.getEndpoint(deps, orgOf(c), c.req.valid('param').id)), 200);
  });

  app.openapi(patch, async (c) => {
    const row = await store.patchEndpoint(deps, orgOf(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json(store.endpointView(row), 200);
  });

  app.openapi(remove, async (c) => {
    await store.deleteEndpoint(deps, orgOf(c), c.req.valid('param').id);
    return c.json({ success: true as const }, 200);
  });

  app.openapi(rotate, async (c) => {
    const { row, secret } = await store.rotateSecret(deps, orgOf(c), c.req.valid('param').id);
    markOneTimeSecrets(c, ['secret'], 'rotate it again');
    return c.json({ ...store.endpointView(row), secret }, 200);
  });

  app.openapi(deliveries, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const after = cursor ? decodeCursor(cursor, timeIdCursor) : undefined;
    const page = await store.listDeliveries(deps, orgOf(c), c.req.valid('param').id, limit, after);
    return c.json({ items: page.items.map(store.deliveryView), next: page.next ? encodeCursor(page.next) : null }, 200);
  });

  app.openapi(retry, async (c) => {
    const { id, delivery_id } = c.req.valid('param');
    await store.retryDelivery(deps, orgOf(c), id, delivery_id);
    return c.json({ success: true as const }, 202);
  });

  return app;
}
