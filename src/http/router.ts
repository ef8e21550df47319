import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ValidationError } from '../errors.ts';
import type { AppEnv } from './env.ts';
import { zodDetails } from './errors.ts';
import { ignoredFields } from './schemas/tolerant-object.ts';

/**
 * Every router validates with the same hook: a failed zod parse becomes a 400 with field details; unknown fields
 * a tolerant body dropped (schemas/tolerant-object.ts) are logged at debug.
 */
export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) throw new ValidationError('Validation failed', zodDetails(result.error));
      const ignored = ignoredFields(result.data);
      if (ignored.length > 0) c.get('log')?.debug({ ignored, target: result.target }, 'ignored unknown request fields');
    },
  });
}

/** Open's ErrorDto (plus Switchboard's details and request id), for the OpenAPI document. */
export const ErrorDto = z
  .object({
    statusCode: z.number().int(),
    message: z.string(),
    error: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    request_id: z.string().optional(),
  })
  .openapi('ErrorDto');

const errorContent = { content: { 'application/json': { schema: ErrorDto } } };

/** The error responses every authenticated operation may give. */
export const errorResponses = {
  400: { description: 'Invalid input', ...errorContent },
  401: { description: 'Missing or invalid API key', ...errorContent },
  403: { description: 'The key lacks the right', ...errorContent },
  404: { description: 'Not found (or another organization’s)', ...errorContent },
  409: { description: 'Conflict (Idempotency-Key reuse, duplicate)', ...errorContent },
  413: { description: 'Body too large', ...errorContent },
} as const;

export const bearerSecurity = [{ bearer: [] as string[] }];

/** `Idempotency-Key` header, declared on every POST. */
export const idempotencyHeader = z.object({
  'idempotency-key': z.string().min(1).max(255).optional().openapi({
    description:
      'A repeat with the same key and body within 24 hours returns the first response (header Idempotent-Replayed: ' +
      'true) and writes nothing; a secret shown once is not repeated (null, with `secret_shown_once`). After 24 ' +
      'hours the key is forgotten and a repeat is a new request.',
  }),
});
