import type { Deps } from '../../deps.ts';
import * as store from '../../domain/webhooks/webhook-endpoint-store.ts';
import { afterCursor, crudRoutes, pageBody } from '../crud.ts';
import { markOneTimeSecrets } from '../one-time-secrets.ts';
import { jsonResponse } from '../openapi-route.ts';
import { idempotencyHeader, newRouter } from '../router.ts';
import { timeIdCursor } from '../schemas/common.ts';
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

const endpoints = crudRoutes({ tags: ['Webhook endpoints'], path: '/webhook-endpoints', params: WebhookEndpointParams });
const params = WebhookEndpointParams;

const create = endpoints.create({
  operationId: 'createWebhookEndpoint',
  summary: 'Subscribe a URL to events',
  description:
    'The response is the only time the signing secret is shown (an Idempotency-Key replay has `secret` null and ' +
    '`secret_shown_once`). Deliveries are signed per Standard Webhooks.',
  body: CreateWebhookEndpointBody,
  response: WebhookEndpointWithSecret,
  says: 'The new endpoint, with its secret',
});

const list = endpoints.list({
  operationId: 'listWebhookEndpoints',
  summary: 'List webhook endpoints, oldest first',
  query: WebhookEndpointListQuery,
  response: WebhookEndpointList,
  says: 'A page of endpoints (never their secrets)',
});

const get = endpoints.get({
  operationId: 'getWebhookEndpoint',
  summary: 'Get a webhook endpoint',
  response: WebhookEndpointDto,
  says: 'The endpoint',
});

const patch = endpoints.patch({
  operationId: 'updateWebhookEndpoint',
  summary: 'Update a webhook endpoint',
  body: PatchWebhookEndpointBody,
  response: WebhookEndpointDto,
  says: 'The updated endpoint',
});

const remove = endpoints.remove({
  operationId: 'deleteWebhookEndpoint',
  summary: 'Delete a webhook endpoint and its delivery log',
  response: Success,
  says: 'Deleted',
});

const rotate = endpoints.route({
  method: 'post',
  path: '/webhook-endpoints/{id}/rotate-secret',
  operationId: 'rotateWebhookEndpointSecret',
  summary: 'Replace the signing secret',
  description:
    'The new secret is shown only here (an Idempotency-Key replay has `secret` null and `secret_shown_once`). ' +
    'For 24 hours the old one signs too (a second `v1,` signature).',
  request: { params, headers: idempotencyHeader },
  responses: { 200: jsonResponse(WebhookEndpointWithSecret, 'The endpoint, with its new secret') },
});

const deliveries = endpoints.route({
  method: 'get',
  path: '/webhook-endpoints/{id}/deliveries',
  operationId: 'listWebhookDeliveries',
  summary: 'Delivery attempts, newest first',
  request: { params, query: WebhookDeliveryListQuery },
  responses: { 200: jsonResponse(WebhookDeliveryList, 'A page of attempts') },
});

const retry = endpoints.route({
  method: 'post',
  path: '/webhook-endpoints/{id}/deliveries/{delivery_id}/retry',
  operationId: 'retryWebhookDelivery',
  summary: 'Deliver this attempt’s event again, now',
  description: '409 if the event was already delivered to this endpoint or the endpoint is disabled.',
  request: { params: WebhookDeliveryParams, headers: idempotencyHeader },
  responses: { 202: jsonResponse(Success, 'Queued') },
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
    const page = await store.listEndpoints(deps, orgOf(c), limit, afterCursor(cursor, timeIdCursor));
    return c.json(pageBody(page.items.map(store.endpointView), page.next), 200);
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
    const page = await store.listDeliveries(deps, orgOf(c), c.req.valid('param').id, limit, afterCursor(cursor, timeIdCursor));
    return c.json(pageBody(page.items.map(store.deliveryView), page.next), 200);
  });

  app.openapi(retry, async (c) => {
    const { id, delivery_id } = c.req.valid('param');
    await store.retryDelivery(deps, orgOf(c), id, delivery_id);
    return c.json({ success: true as const }, 202);
  });

  return app;
}
