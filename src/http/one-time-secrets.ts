import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from './env.ts';

// Some responses show a secret once: a new API key, a webhook endpoint's signing secret. Its plaintext is kept
// nowhere, so an `Idempotency-Key` replay (middleware/idempotency.ts) must not hand it out again, and the
// idempotency record must not hold it. The route names the fields; the record keeps the response with them null
// and `secret_shown_once` saying why, and that is what a replay gets: the same status and fields, no secret.

export interface OneTimeSecrets {
  fields: readonly string[];
  /** What a client that lost the first response should do, e.g. "rotate the secret". */
  ifLost: string;
}

/** Marks fields of this request's response as secrets shown only once. */
export function markOneTimeSecrets(c: Context<AppEnv>, fields: readonly string[], ifLost: string): void {
  c.set('oneTimeSecrets', { fields, ifLost });
}

/** The response as a replay shows it: the marked fields null, and a note. Unmarked responses are unchanged. */
export function withoutOneTimeSecrets(body: unknown, secrets: OneTimeSecrets | undefined): unknown {
  if (!secrets || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const withheld: Record<string, unknown> = { ...body };
  for (const field of secrets.fields) if (field in withheld) withheld[field] = null;
  const named = `The ${secrets.fields.join(', ')} field${secrets.fields.length > 1 ? 's were' : ' was'}`;
  withheld.secret_shown_once =
    `This repeats an earlier request with the same Idempotency-Key. ${named} shown only in the first response ` +
    `and is not kept; if that response was lost, ${secrets.ifLost}.`;
  return withheld;
}

/** OpenAPI: a field holding a secret shown once, and the note a replay carries instead. */
export const oneTimeSecretSchema = (description: string) =>
  z.string().nullable().openapi({ description: `${description} null on an Idempotency-Key replay (see secret_shown_once).` });

export const secretShownOnceSchema = z.string().optional().openapi({
  description:
    'Only on an Idempotency-Key replay (header Idempotent-Replayed: true): the secret was shown once, in the first ' +
    'response, and is not kept, so it is null here; this says so and what to do if it was lost.',
});
