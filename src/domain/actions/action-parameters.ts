import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { type FieldError, ValidationError } from '../../errors.ts';

// An action's parameters are described by a JSON Schema (the same object the console builds its form from and the
// AI gets as the tool's `parameters`, https://platform.openai.com/docs/guides/function-calling), and every call's
// parameters are checked against it with ajv (https://ajv.js.org) before anything is sent. Schemas are an admin's,
// checked when stored; compiled validators are kept per schema text, a bounded number of them.

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);

/** The largest schema stored (its JSON text): a form and a tool definition, not a document. */
export const MAX_SCHEMA_CHARS = 20_000;
const CACHE_SIZE = 256;
const compiled = new Map<string, ValidateFunction>();

export type ParameterSchema = Record<string, unknown>;

const details = (errors: ErrorObject[] | null | undefined, root: string): FieldError[] =>
  (errors ?? []).map((e) => ({ path: [root, ...e.instancePath.split('/').filter(Boolean)].join('.'), message: e.message ?? 'is invalid' }));

/** The validator of `schema` (compiled once per distinct schema); a schema ajv refuses is a 400 on `parameters`. */
function validatorOf(schema: ParameterSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) {
    compiled.delete(key);
    compiled.set(key, hit); // most recently used last
    return hit;
  }
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(structuredClone(schema));
  } catch (err) {
    const message = `Not a usable JSON Schema: ${(err as Error).message}`;
    throw new ValidationError(`parameters: ${message}`, [{ path: 'parameters', message }]);
  }
  compiled.set(key, validate);
  if (compiled.size > CACHE_SIZE) {
    const [oldest, fn] = compiled.entries().next().value!;
    compiled.delete(oldest);
    ajv.removeSchema(fn.schema); // ajv keeps every compiled schema otherwise
  }
  return validate;
}

/**
 * Checks a schema an admin gives: an object schema (tool parameters must be one), small, and compilable; every
 * `{param}` of the URL template must be one of its properties.
 */
export function checkParameterSchema(schema: ParameterSchema, placeholders: readonly string[]): void {
  const fail = (message: string): never => {
    throw new ValidationError(`parameters: ${message}`, [{ path: 'parameters', message }]);
  };
  if (JSON.stringify(schema).length > MAX_SCHEMA_CHARS) fail(`at most ${MAX_SCHEMA_CHARS} characters of JSON`);
  if (schema.type !== 'object') fail('must be a JSON Schema with "type": "object"');
  validatorOf(schema);
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const undeclared = placeholders.filter((p) => !Object.hasOwn(properties, p));
  if (undeclared.length) fail(`the URL template uses ${undeclared.map((p) => `{${p}}`).join(', ')}, which must be properties here`);
}

/** The parameters of one call, validated (defaults filled in); a mismatch is a 400 naming each field. */
export function validateParameters(schema: ParameterSchema, given: unknown): Record<string, unknown> {
  const value = structuredClone(given ?? {});
  const validate = validatorOf(schema);
  if (!validate(value)) throw new ValidationError('The parameters do not match the action’s schema', details(validate.errors, 'parameters'));
  return value as Record<string, unknown>;
}
