import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { channels } from '../../src/db/schema/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { createTestApp } from '../helpers/app.ts';

// Every operation of the app's own /openapi.json (so new routes are covered as they land) gets random input:
// schema-shaped bodies with hostile values, wrong types, arbitrary JSON, malformed JSON, wrong content types, odd
// path params (own, foreign, random, not uuids) and query strings. Never a 5xx; every 4xx is Open's ErrorDto.

type Json = Record<string, any>;
interface Op { method: string; path: string; op: Json }
interface Req { method: string; url: string; headers: Record<string, string>; body?: string; foreign?: boolean }

const TOTAL_RUNS = 5000; // random requests over all operations (plus the fixed cases below)
const TIME_BUDGET_MS = 35_000;

const t = await createTestApp();
afterAll(() => t.close());
const doc = (await (await t.app.request('/openapi.json')).json()) as Json;
const ops: Op[] = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
  Object.entries(item as Json)
    .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
    .map(([method, op]) => ({ method: method.toUpperCase(), path, op: op as Json })),
);

// Real ids to aim at: this organization's objects and another organization's.
async function seed(key: string, email: string, orgId: string): Promise<string[]> {
  const call = (path: string, body: unknown): Promise<Json> => t.call('POST', path, body, { key }).then((r) => r.json() as Promise<Json>, () => ({}));
  const ids = [
    (await call('/contacts', { contact: { email, name: 'Seed' } })).id,
    (await call('/chat/sessions', { contact: { email } })).id,
    ...(await t.database.db.select({ id: channels.id }).from(channels).where(eq(channels.orgId, orgId))).map((c) => c.id),
  ];
  return ids.filter((id): id is string => typeof id === 'string');
}
const other = await createOrganization(t.deps, 'Other org');
const ownIds = await seed(t.adminKey, 'own@example.com', t.orgId);
const otherIds = await seed(other.adminKey, 'other@example.com', other.id);

const deref = (s?: Json): Json | undefined => (s?.$ref ? deref(doc.components?.schemas?.[String(s.$ref).split('/').pop()!]) : s);

// Hostile values: NUL bytes and lone surrogates (Postgres rejects both), huge and deep things, wrong types.
const HUGE = ['x'.repeat(100_000), 'é'.repeat(600_000), '💥'.repeat(20_000)];
const deep = (n: number): unknown => (n === 0 ? 'bottom' : { a: deep(n - 1) });
const nastyString = fc.oneof(
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\u202e\u200b', '<script>', "'; drop table x;--"),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(...HUGE, -1, 0, 1e308, -0, 2 ** 53 + 1, 3.5, true, null, [], [[[]]], {}, deep(3), deep(500)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.string(), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(deep(5))), { maxKeys: 4 }),
);
const word = fc.stringMatching(/^[a-z0-9]{1,12}$/);
const anyId = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...(ownIds.length ? ownIds : ['00000000-0000-4000-8000-000000000000'])) },
  { weight: 1, arbitrary: fc.constantFrom(...(otherIds.length ? otherIds : ['6f1c2f5e-2a7b-4c1e-9d7e-0b7f6f0c1a2b'])) },
  { weight: 1, arbitrary: fc.uuid() },
);

/** Values shaped by a JSON Schema: plausible ones, or (hostile) with odd strings now and then. */
function shaped(input: Json | undefined, hostile: boolean, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(input);
  if (!s || depth > 5) return fc.jsonValue({ maxDepth: 2 });
  if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
  if ('const' in s) return fc.constant(s.const);
  const alts = (s.anyOf ?? s.oneOf ?? s.allOf) as Json[] | undefined;
  if (alts) return fc.oneof(...alts.map((a) => shaped(a, hostile, depth + 1)));
  const types: string[] = Array.isArray(s.type) ? s.type : [s.type ?? (s.properties ? 'object' : 'any')];
  return fc.oneof(...types.map((type): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'null': return fc.constant(null);
      case 'boolean': return fc.boolean();
      case 'integer': return fc.integer({ min: s.minimum ?? -5, max: s.maximum ?? 500 });
      case 'number': return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
      case 'array': return fc.array(shaped(s.items, hostile, depth + 1), { maxLength: 3 });
      case 'string': {
        if (s.format === 'uuid') return anyId;
        if (s.format === 'email') return hostile ? fc.emailAddress() : word.map((w) => `${w}@example.com`);
        if (s.format === 'uri') return hostile ? fc.webUrl() : word.map((w) => `https://example.com/${w}`);
        if (s.format === 'date-time') return fc.date({ min: new Date(2000, 0), max: new Date(2100, 0), noInvalidDate: true }).map((d) => d.toISOString());
        if (s.pattern && !hostile) return fc.stringMatching(new RegExp(s.pattern as string));
        const plain = fc.string({ maxLength: Math.min(s.maxLength ?? 40, 40), minLength: Math.min(s.minLength ?? 0, 40) });
        return hostile ? fc.oneof({ weight: 3, arbitrary: plain }, { weight: 1, arbitrary: nastyString }) : plain;
      }
      case 'object': {
        const props = Object.entries((s.properties ?? {}) as Json);
        const rec = fc.record(Object.fromEntries(props.map(([k, v]) => [k, shaped(v, hostile, depth + 1)])), { requiredKeys: s.required ?? [] });
        const extra = s.additionalProperties && typeof s.additionalProperties === 'object'
          ? fc.dictionary(hostile ? fc.oneof(fc.string({ minLength: 1 }), nastyString) : fc.string({ minLength: 1, maxLength: 10 }), shaped(s.additionalProperties, hostile, depth + 1), { maxKeys: 3 })
          : fc.constant({});
        return fc.tuple(rec, extra).map(([a, b]) => ({ ...b, ...a }));
      }
      default: return fc.jsonValue({ maxDepth: 2 });
    }
  }));
}

/** Replaces the n-th string (a value or an object key) of a plausible value with `bad`: reaches deep fields. */
function poisonOne(v: unknown, n: number, bad: string): unknown {
  let seen = 0;
  let at = -1;
  const walk = (x: unknown): unknown => {
    if (typeof x === 'string') return seen++ === at ? bad : x;
    if (Array.isArray(x)) return x.map(walk);
    if (!x || typeof x !== 'object') return x;
    return Object.fromEntries(Object.entries(x).map(([k, y]) => [seen++ === at ? bad : k, walk(y)]));
  };
  walk(v); // counts the strings
  [at, seen] = [seen ? n % seen : -1, 0];
  return walk(v);
}

const FRESH = Symbol('a never-used Idempotency-Key');
const MALFORMED = ['{', '{"a":', 'nul', '[1,2', '{"sender":"contact",}', '\u0000', '', '{"a":1}{"b":2}', '\ufeff{}', '"x'];
const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16'];

function requestArb({ method, path, op }: Op): fc.Arbitrary<Req> {
  const params = (op.parameters ?? []) as Json[];
  const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name as string);
  // Which path params name objects (uuid ids): another organization's id there must never be served. A free-text
  // param (a tag name) may well read like some id; that is not a foreign object.
  const isId = params.filter((p) => p.in === 'path').map((p) => deref(p.schema)?.format === 'uuid');
  const queryParams = params.filter((p) => p.in === 'query');
  const paramValue = fc.oneof({ weight: 4, arbitrary: anyId }, { weight: 1, arbitrary: nastyString.filter((s) => s.length < 200) });
  const queryOf = (value: (s: Json) => fc.Arbitrary<unknown>) =>
    fc.record(Object.fromEntries(queryParams.map((q) => [q.name, value(q.schema)])), { requiredKeys: [] });
  const query = fc.oneof({ weight: 3, arbitrary: queryOf((s) => shaped(s, false)) },
    { weight: 1, arbitrary: queryOf((s) => fc.oneof(shaped(s, true), nasty)) });
  const extraQuery = fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 2 }), { nil: {}, freq: 4 });
  const bodySchema = op.requestBody?.content?.['application/json']?.schema as Json | undefined;
  const json = (v: unknown) => ({ body: JSON.stringify(v), type: 'application/json' });
  // The declared properties, each possibly present with a hostile (mostly wrong-typed) value.
  const wrongTypes = fc.record(Object.fromEntries(Object.keys(deref(bodySchema)?.properties ?? { contact: 1 }).map((k) => [k, nasty])), { requiredKeys: [] });
  const body = method === 'GET' ? fc.constant(undefined) : fc.oneof(
    { weight: 5, arbitrary: shaped(bodySchema, false).map(json) },
    { weight: 3, arbitrary: shaped(bodySchema, true).map(json) },
    { weight: 3, arbitrary: fc.tuple(shaped(bodySchema, false), fc.nat(), fc.constantFrom('\u0000', 'a\u0000', '\ud800', 'x'.repeat(70_000))).map(([v, n, bad]) => json(poisonOne(v, n, bad))) },
    { weight: 2, arbitrary: wrongTypes.map(json) },
    { weight: 1, arbitrary: fc.jsonValue().map(json) },
    { weight: 1, arbitrary: fc.constantFrom(...MALFORMED).map((b) => ({ body: b, type: 'application/json' })) },
    { weight: 1, arbitrary: fc.tuple(shaped(bodySchema, false), fc.constantFrom(...CONTENT_TYPES)).map(([v, type]) => ({ body: JSON.stringify(v), type })) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const idem = fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constant(FRESH) },
    { weight: 1, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,300}$/) });
  return fc.record({ ids: fc.array(paramValue, { minLength: pathParams.length, maxLength: pathParams.length }), query, extraQuery, body, idem })
    .map(({ ids, query, extraQuery, body, idem }) => {
      let url = path;
      pathParams.forEach((name, i) => (url = url.replace(`{${name}}`, encodeURIComponent(String(ids[i]).replace(LONE_SURROGATE, '\ufffd')))));
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries({ ...extraQuery, ...query })) qs.append(k, typeof v === 'string' ? v : JSON.stringify(v));
      const headers: Record<string, string> = { authorization: `Bearer ${t.adminKey}` };
      if (body) headers['content-type'] = body.type;
      if (idem && method === 'POST') headers['idempotency-key'] = idem === FRESH ? `fresh-${randomUUID()}` : idem;
      const foreign = ids.some((id, i) => isId[i] && otherIds.includes(String(id)));
      return { method, url: `${url}${qs.size ? `?${qs}` : ''}`, headers, foreign, ...(body ? { body: body.body } : {}) };
    });
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const cut = (s: string | undefined, n = 300) => (s && s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

async function send(req: Req): Promise<{ status: number; text: string }> {
  const res = await t.app.request(req.url, { method: req.method, headers: req.headers, ...(req.body !== undefined ? { body: req.body } : {}) });
  const text = await res.text();
  const where = `${req.method} ${req.url}\nheaders: ${JSON.stringify(req.headers)}\nbody: ${cut(req.body)}\n→ ${res.status} ${cut(text, 1000)}`;
  expect(res.status, `5xx for\n${where}`).toBeLessThan(500);
  if (res.status >= 400) {
    let body: unknown;
    expect(() => (body = JSON.parse(text)), `4xx body is not JSON:\n${where}`).not.toThrow();
    expect(body, `4xx body is not Open's ErrorDto:\n${where}`).toMatchObject({ statusCode: res.status, message: expect.any(String), error: expect.any(String) });
  }
  if (req.foreign) expect(res.status, `another organization's object was served:\n${where}`).toBeGreaterThanOrEqual(400);
  const fresh = req.headers['idempotency-key']?.startsWith('fresh-');
  if (fresh) expect(res.status === 409 && /in progress/i.test(text), `first use of an Idempotency-Key is "in progress":\n${where}`).toBe(false);
  return { status: res.status, text };
}

describe('fuzzing every operation of /openapi.json', () => {
  it('finds operations to fuzz', () => expect(ops.length).toBeGreaterThan(0));
  it('declares every id path param as a uuid (what the foreign-object check relies on)', () => {
    const ids = ops.flatMap((o) => ((o.op.parameters ?? []) as Json[]).filter((p) => p.in === 'path' && /(^|_)id$/.test(p.name)).map((p) => [`${o.method} ${o.path} ${p.name}`, deref(p.schema)?.format]));
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.filter(([, format]) => format !== 'uuid')).toEqual([]);
  });
  const perOp = Math.max(10, Math.ceil(TOTAL_RUNS / Math.max(ops.length, 1)));
  it.each(ops.map((o) => [`${o.method} ${o.path}`, o] as const))('%s: random input → < 500, ErrorDto on 4xx', async (_, o) => {
    const limits = { numRuns: perOp, interruptAfterTimeLimit: TIME_BUDGET_MS / ops.length, markInterruptAsFailure: false };
    await fc.assert(fc.asyncProperty(requestArb(o), async (req) => void (await send(req))), limits);
    const url = o.path.replace(/\{[^}]+\}/g, () => ownIds[0] ?? 'x');
    const headers = { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' };
    if (o.method !== 'GET') for (const body of [...MALFORMED, HUGE[1]!]) await send({ method: o.method, url, headers, body });
  });

  it.each(ops.map((o) => [`${o.method} ${o.path}`, o] as const))('%s: without a valid key → 401 when it declares security', async (_, o) => {
    const protectedOp = ((o.op.security ?? doc.security ?? []) as Json[]).length > 0;
    const url = o.path.replace(/\{[^}]+\}/g, '6f1c2f5e-2a7b-4c1e-9d7e-0b7f6f0c1a2b');
    for (const authorization of [undefined, 'Bearer sb_admin_not-a-key', `Basic ${t.adminKey}`, 'Bearer', `Bearer ${other.adminKey}x`]) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) };
      const { status } = await send({ method: o.method, url, headers, ...(o.method === 'GET' ? {} : { body: '{}' }) });
      if (protectedOp) expect(status, `${o.method} ${url} with ${authorization}`).toBe(401);
      else expect(status, `${o.method} ${o.path} answers 401 but declares no security`).not.toBe(401);
    }
  });
});
