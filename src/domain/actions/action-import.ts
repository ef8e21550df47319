import { ValidationError } from '../../errors.ts';
import type { ActionMethod } from '../../db/schema/index.ts';
import type { NewAction } from './action-store.ts';

// Open's importActionsFromOpenAapiSpec: one action per operation of an OpenAPI 3 document
// (https://spec.openapis.org/oas/v3.1.0#operation-object). The name is the operationId (else method and path), the
// URL the first server's plus the path (OpenAPI's `{param}` templating is ours too), the parameters one object
// schema of the path and query parameters and the JSON body's properties. Local `$ref`s are followed (not cycles).
// Headers are not in a document: secrets are added to each action afterwards (PATCH /actions/{id}).

type Json = Record<string, any>;
const METHODS: Record<string, ActionMethod> = { get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE' };
const MAX_OPERATIONS = 200;
const MAX_DEPTH = 12;

export interface ImportPlan {
  actions: NewAction[];
  skipped: { name: string; reason: string }[];
}

const fail = (message: string): never => {
  throw new ValidationError(`file: ${message}`, [{ path: 'file', message }]);
};

/** `#/components/schemas/X` resolved in the document; nested refs too, a cycle (or a deep one) becomes `{}`. */
function deref(doc: Json, node: unknown, depth = 0, seen: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((n) => deref(doc, n, depth + 1, seen));
  if (!node || typeof node !== 'object') return node;
  const ref = (node as Json).$ref;
  if (typeof ref === 'string') {
    if (!ref.startsWith('#/') || seen.includes(ref) || depth > MAX_DEPTH) return {};
    const target = ref.slice(2).split('/').reduce<unknown>((o, k) => (o as Json | undefined)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    return deref(doc, target, depth + 1, [...seen, ref]);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deref(doc, v, depth + 1, seen)]));
}

const toolName = (s: string) => s.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);

/** The parameters of one operation as one object schema. */
function parameterSchema(doc: Json, shared: unknown[], op: Json): Record<string, unknown> {
  const properties: Json = {};
  const required = new Set<string>();
  for (const raw of [...shared, ...((op.parameters as unknown[]) ?? [])]) {
    const p = deref(doc, raw) as Json;
    if (!p || (p.in !== 'path' && p.in !== 'query') || typeof p.name !== 'string') continue; // headers, cookies: not the caller's
    properties[p.name] = { ...((p.schema as Json) ?? { type: 'string' }), ...(p.description ? { description: p.description } : {}) };
    if (p.required || p.in === 'path') required.add(p.name);
  }
  const body = deref(doc, op.requestBody) as Json | undefined;
  const json = body?.content?.['application/json']?.schema as Json | undefined;
  if (json?.type === 'object' || json?.properties) {
    Object.assign(properties, json.properties ?? {});
    for (const r of (json.required as string[]) ?? []) required.add(r);
  }
  return { type: 'object', properties, ...(required.size ? { required: [...required] } : {}) };
}

export function planImport(doc: unknown): ImportPlan {
  if (!doc || typeof doc !== 'object' || typeof (doc as Json).openapi !== 'string') fail('not an OpenAPI 3 document (no "openapi" field)');
  const d = doc as Json;
  const server = (d.servers as Json[] | undefined)?.[0]?.url;
  if (typeof server !== 'string' || !/^https?:\/\//.test(server)) fail('the document needs an absolute http(s) URL in servers[0].url');
  const base = (server as string).replace(/\/+$/, '');
  const plan: ImportPlan = { actions: [], skipped: [] };
  const names = new Set<string>();
  for (const [path, item] of Object.entries((d.paths as Json) ?? {})) {
    for (const [method, op] of Object.entries(item as Json)) {
      const verb = METHODS[method];
      if (!verb || !op || typeof op !== 'object') continue;
      const name = toolName(String(op.operationId ?? `${method}_${path}`));
      if (!name || name === 'handoff' || names.has(name)) {
        plan.skipped.push({ name: name || `${method} ${path}`, reason: 'no usable name (operationId), or the same name twice' });
        continue;
      }
      if (plan.actions.length >= MAX_OPERATIONS) {
        plan.skipped.push({ name, reason: `more than ${MAX_OPERATIONS} operations` });
        continue;
      }
      names.add(name);
      const description = String(op.summary ?? op.description ?? '').slice(0, 1000);
      const parameters = parameterSchema(d, ((item as Json).parameters as unknown[]) ?? [], op);
      plan.actions.push({ name, description, method: verb, url_template: `${base}${path}`, parameters });
    }
  }
  return plan;
}
