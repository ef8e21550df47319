import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openapiSchemaToJsonSchema } from '@openapi-contrib/openapi-schema-to-json-schema';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';

// Validates our responses against Open's own OpenAPI 3.0 document (test/fixtures/open, a copy of the one Open publishes), so a client generated
// from it works against Switchboard unchanged. OpenAPI 3.0 schemas (`nullable`) are converted to JSON Schema.

const DOC_PATH = resolve(import.meta.dirname, '../fixtures/open/openapi-2024.json');

type Json = Record<string, any>;
const doc: Json = JSON.parse(readFileSync(DOC_PATH, 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const cache = new Map<string, ValidateFunction>();

function deref(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(deref);
  if (node && typeof node === 'object') {
    const ref = (node as Json).$ref as string | undefined;
    if (ref) return deref(ref.split('/').slice(1).reduce((o: Json, k) => o[k], doc));
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deref(v)]));
  }
  return node;
}

/** OpenAPI 3.0 → JSON Schema; the converter stamps draft-04, which ajv 8 does not load (the keywords are the same). */
function toJsonSchema(schema: unknown): Json {
  const { $schema: _draft, ...json } = openapiSchemaToJsonSchema(deref(schema) as Json) as Json;
  return json;
}

/** The compiled validator for Open's response schema of `method path` at `status`. */
export function openResponseValidator(method: string, path: string, status: number): ValidateFunction {
  const id = `${method} ${path} ${status}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const op = doc.paths?.[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`Open's document has no operation ${method} ${path}`);
  const schema = op.responses?.[String(status)]?.content?.['application/json']?.schema;
  const fn = ajv.compile(schema ? toJsonSchema(schema) : {});
  cache.set(id, fn);
  return fn;
}

/** Asserts a response body matches Open's schema for that operation and status. */
export function expectOpenContract(method: string, path: string, status: number, body: unknown): void {
  const validate = openResponseValidator(method, path, status);
  const ok = validate(body);
  expect(ok, `${method} ${path} ${status} breaks Open's schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`).toBe(true);
}

/** Open's ErrorDto, for error bodies. */
export function expectOpenError(body: unknown, status: number): void {
  const validate = ajv.compile(toJsonSchema(doc.components.schemas.ErrorDto));
  expect(validate(body), ajv.errorsText(validate.errors)).toBe(true);
  expect((body as Json).statusCode).toBe(status);
}
