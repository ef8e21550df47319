import { z } from '@hono/zod-openapi';
import { ACTION_METHODS, ACTION_RUNNERS } from '../../db/schema/index.ts';
import { listQuery, rejectNul } from './common.ts';

// Request and response schemas of /actions* and the run endpoint (system actions, issue 18 §2).

const id = z.guid().openapi({ format: 'uuid' });
const pathId = (name: string) => id.openapi({ param: { name, in: 'path' } });

/** The AI's tool name too, so OpenAI's rule for function names applies. `handoff` is the AI's own tool. */
const name = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'Letters, digits, _ and - only, at most 64 (it is also the AI’s tool name)')
  .refine((n) => n !== 'handoff', 'handoff is reserved for the AI’s own tool')
  .openapi({ description: 'Unique per organization; the AI sees it as the tool name.', example: 'lookup_order' });

/** Headers that describe the message itself are the HTTP client's to set. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'trailer', 'keep-alive']);
const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, 'Not an HTTP header name')
  .refine((n) => !RESERVED_HEADERS.has(n.toLowerCase()), 'Set by the HTTP client, not by an action');
const headerValue = z.string().min(1).max(4096).regex(/^[^\r\n]*$/, 'Must be one line');
const headersNote =
  'Header values are secrets (an API key, a bearer token): stored encrypted and never shown again; views list their names in `headers_set`.';

const fields = {
  name,
  description: z.string().trim().max(1000).openapi({ description: 'What it does: the AI reads it to decide when to call it.' }),
  method: z.enum(ACTION_METHODS),
  url_template: z.string().trim().min(1).max(2048).openapi({
    description:
      'An http(s) URL; `{param}` in its path or query is replaced by that parameter, URL-encoded. The other parameters ' +
      'go in the query string (GET, DELETE) or as the JSON body (POST, PUT, PATCH). The host is fixed: parameters never fill it.',
    example: 'https://shop.example.com/api/orders/{order_id}',
  }),
  parameters: z.record(z.string(), z.unknown()).openapi({
    description: 'A JSON Schema with "type": "object": the console’s form, the AI’s tool parameters, and what every call is validated against.',
    example: { type: 'object', properties: { order_id: { type: 'string', description: 'The order number' } }, required: ['order_id'] },
  }),
  run_by: z
    .array(z.enum(ACTION_RUNNERS))
    .max(ACTION_RUNNERS.length)
    .openapi({ description: 'Who may run it: `agent`, `admin` (from the console or the API) and `ai` (as a tool during its turn).' }),
};

export const ActionParams = z.object({ id: pathId('id') });
export const RunActionParams = z.object({ session_id: pathId('session_id'), action_id: pathId('action_id') });

export const CreateActionBody = z
  .strictObject({
    ...fields,
    description: fields.description.optional(),
    parameters: fields.parameters.optional(),
    run_by: fields.run_by.optional(),
    headers: z.record(headerName, headerValue).optional().openapi({ description: headersNote }),
  })
  .superRefine((v, ctx) => rejectNul(v, ctx))
  .openapi('CreateActionInput');

export const PatchActionBody = z
  .strictObject({
    ...z.object(fields).partial().shape,
    headers: z
      .record(headerName, headerValue.nullable())
      .optional()
      .openapi({ description: `${headersNote} Merged name by name; null removes one. Changing the URL’s host needs every stored header again.` }),
  })
  .superRefine((v, ctx) => rejectNul(v, ctx))
  .openapi('UpdateActionInput');

export const ActionDto = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    method: z.enum(ACTION_METHODS),
    url_template: z.string(),
    headers_set: z.array(z.string()).openapi({ description: 'Names of the stored headers (their values are never shown).' }),
    parameters: z.record(z.string(), z.unknown()),
    run_by: z.array(z.enum(ACTION_RUNNERS)),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Action');

export const ActionListQuery = listQuery(50, 200);
export const ActionList = z.object({ items: z.array(ActionDto), next: z.string().nullable() }).openapi('ListActionsOutput');
/** Keyset position in the A→Z list: the last name of the page (unique per organization). */
export const actionCursor = z.tuple([z.string().min(1).max(64)]);

export const DeletedAction = z.object({ success: z.literal(true) }).openapi('DeleteActionOutput');
export const DeletedAllActions = z
  .object({ success: z.literal(true), deleted: z.number().int().openapi({ description: 'How many actions were deleted.' }) })
  .openapi('DeleteAllActionsOutput');

export const ImportActionsForm = z
  .object({ file: z.custom<File>((v) => v instanceof File, 'A file').openapi({ type: 'string', format: 'binary' }) })
  .openapi('FileUploadDto');
export const ImportedActions = z
  .object({
    created: z.array(ActionDto),
    skipped: z.array(z.object({ name: z.string(), reason: z.string() })).openapi({ description: 'Operations not imported, and why.' }),
  })
  .openapi('ImportActionsOutput');

export const RunActionBody = z
  .strictObject({ parameters: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Checked against the action’s schema.' }) })
  .superRefine((v, ctx) => rejectNul(v, ctx))
  .openapi('RunActionInput');

export const ActionRunDto = z
  .object({
    call_id: z.uuid().openapi({ description: 'Also in the two history entries (context.call_id) and both webhook events.' }),
    action_id: z.uuid(),
    ok: z.boolean().openapi({ description: 'false when the request failed: a non-2xx answer, a timeout, a refused address.' }),
    status: z.number().int().nullable().openapi({ description: 'The HTTP status, when an answer came.' }),
    result: z.unknown().openapi({ description: 'The response body: JSON when it was JSON, else text (at most 8,000 characters).' }),
    error: z.string().nullable(),
    duration_ms: z.number().int(),
  })
  .openapi('ActionRun');
