import { z } from '@hono/zod-openapi';
import { API_KEY_ROLES } from '../../domain/model/enums.ts';
import { oneTimeSecretSchema, secretShownOnceSchema } from '../one-time-secrets.ts';
import { listQuery } from './common.ts';

// Request and response schemas of /api-keys* (Switchboard's own admin resource).

const id = z.guid().openapi({ format: 'uuid' });

export const ApiKeyParams = z.object({ id: id.openapi({ param: { name: 'id', in: 'path' } }) });

export const CreateApiKeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    role: z.enum(API_KEY_ROLES),
    agent_id: id.optional().openapi({ description: 'Required for role `agent`: the agent the key acts as.' }),
  })
  .superRefine((b, ctx) => {
    if (b.role === 'agent' && b.agent_id === undefined) {
      ctx.addIssue({ code: 'custom', path: ['agent_id'], message: 'Required for role agent' });
    }
    if (b.role !== 'agent' && b.agent_id !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['agent_id'], message: 'Only for role agent' });
    }
  })
  .openapi('CreateApiKeyInput');

export const ApiKeyDto = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: z.enum(API_KEY_ROLES),
    key_prefix: z.string().openapi({ description: 'The start of the key, to tell keys apart.' }),
    agent_id: z.uuid().nullable(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
  })
  .openapi('ApiKey');

export const CreatedApiKey = ApiKeyDto.omit({ last_used_at: true })
  .extend({
    key: oneTimeSecretSchema('The secret key. Shown only here, once: store it now.'),
    secret_shown_once: secretShownOnceSchema,
  })
  .openapi('CreatedApiKey');

export const ApiKeyListQuery = listQuery(20, 100);
export const ApiKeyList = z.object({ items: z.array(ApiKeyDto), next: z.string().nullable() }).openapi('ListApiKeysOutput');

export const RevokedApiKey = z.object({ success: z.literal(true) }).openapi('RevokeApiKeyOutput');
