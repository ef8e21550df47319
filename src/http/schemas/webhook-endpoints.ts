import { z } from '@hono/zod-openapi';
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from '../../db/schema/index.ts';
import { listQuery } from './common.ts';
import { oneTimeSecretSchema, secretShownOnceSchema } from '../one-time-secrets.ts';

// Request and response schemas of /webhook-endpoints* (Switchboard's own admin resource).

const id = z.guid().openapi({ format: 'uuid' });
const url = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .openapi({ description: 'Where events are POSTed: an http(s) URL.', example: 'https://example.com/hooks/switchboard' });
const eventNames = z
  .array(z.enum([...WEBHOOK_EVENT_TYPES, '*']))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length + 1)
  .openapi({ description: 'Event names to receive, or `["*"]` for all of them.', example: ['conversation.contact_response'] });
const description = z.string().trim().max(500);

export const WebhookEndpointParams = z.object({ id: id.openapi({ param: { name: 'id', in: 'path' } }) });
export const WebhookDeliveryParams = WebhookEndpointParams.extend({
  delivery_id: id.openapi({ param: { name: 'delivery_id', in: 'path' } }),
});

export const CreateWebhookEndpointBody = z
  .strictObject({ url, events: eventNames, description: description.optional() })
  .openapi('CreateWebhookEndpointInput');

export const PatchWebhookEndpointBody = z
  .strictObject({
    url: url.optional(),
    events: eventNames.optional(),
    description: description.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .openapi('UpdateWebhookEndpointInput');

export const WebhookEndpointDto = z
  .object({
    id: z.uuid(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable().openapi({ description: 'Set when Switchboard disabled it (the receiver answered 410).' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('WebhookEndpoint');

export const WebhookEndpointWithSecret = WebhookEndpointDto.extend({
  secret: oneTimeSecretSchema(
    'The Standard Webhooks signing secret (`whsec_` + base64 key). Shown only here, once: store it now.',
  ),
  secret_shown_once: secretShownOnceSchema,
}).openapi('WebhookEndpointWithSecret');

export const WebhookEndpointListQuery = listQuery(20, 100);
export const WebhookEndpointList = z
  .object({ items: z.array(WebhookEndpointDto), next: z.string().nullable() })
  .openapi('ListWebhookEndpointsOutput');

export const WebhookDeliveryDto = z
  .object({
    id: z.uuid(),
    event_id: z.uuid(),
    event_type: z.string(),
    attempt: z.number().int(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    response_status: z.number().int().nullable(),
    response_body: z.string().nullable().openapi({ description: 'The first 2 KB of the response body.' }),
    error: z.string().nullable(),
    duration_ms: z.number().int().nullable(),
    next_attempt_at: z.string().nullable().openapi({ description: 'When the next automatic attempt is due, if any.' }),
    created_at: z.string(),
  })
  .openapi('WebhookDelivery');

export const WebhookDeliveryListQuery = listQuery(20, 100);
export const WebhookDeliveryList = z
  .object({ items: z.array(WebhookDeliveryDto), next: z.string().nullable() })
  .openapi('ListWebhookDeliveriesOutput');

export const Success = z.object({ success: z.literal(true) }).openapi('WebhookEndpointSuccessOutput');
