import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRouter } from '../../src/http/router.ts';
import { mountDocs } from '../../src/http/routes/docs.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// /openapi.json is a valid OpenAPI 3.1 document that covers Open's chat-session and contact operations;
// /docs is a page whose every asset we serve ourselves (no CDN).

const OPEN_DOC = resolve(import.meta.dirname, '../fixtures/open/openapi-2024.json');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

type Json = Record<string, any>;

/** `METHOD /path` for every operation of a document whose path matches `filter`. */
function operations(doc: Json, filter: RegExp = /.*/): string[] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    filter.test(path) ? METHODS.filter((m) => (item as Json)[m]).map((m) => `${m.toUpperCase()} ${path}`) : [],
  );
}

let t: TestApp;
let doc: Json;
beforeAll(async () => {
  t = await createTestApp();
  const res = await t.app.request('/openapi.json');
  expect(res.status).toBe(200);
  doc = (await res.json()) as Json;
});
afterAll(() => t?.close());

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes the API, its bearer auth and where it is served', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Switchboard API', version: expect.any(String) });
    expect(doc.info.description).toMatch(/Bearer/);
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.servers?.length).toBeGreaterThan(0);
    for (const s of doc.servers) expect(() => new URL(s.url)).not.toThrow();
  });

  it('offers the request origin as a server', async () => {
    const res = await t.app.request('http://api.example.test:8080/openapi.json');
    const servers = ((await res.json()) as Json).servers as { url: string }[];
    expect(servers.map((s) => s.url)).toContain('http://api.example.test:8080');
  });

  it('lists PUBLIC_URL first when given one', async () => {
    const app = newRouter();
    mountDocs(app, 'https://support.example.com/');
    const servers = ((await (await app.request('http://127.0.0.1:3000/openapi.json')).json()) as Json).servers;
    expect(servers.map((s: Json) => s.url)).toEqual(['https://support.example.com', 'http://127.0.0.1:3000']);
  });

  it('refers only to security schemes it defines', () => {
    const defined = new Set(Object.keys(doc.components?.securitySchemes ?? {}));
    const used = Object.values(doc.paths ?? {}).flatMap((item) =>
      METHODS.flatMap((m) => ((item as Json)[m]?.security ?? []).flatMap((s: Json) => Object.keys(s))),
    );
    for (const name of used) expect(defined).toContain(name);
  });

  it("contains every chat-session, contact and action operation of Open's document (same path and method)", () => {
    const open: Json = JSON.parse(readFileSync(OPEN_DOC, 'utf8'));
    const wanted = operations(open, /^\/(chat\/sessions|contacts|actions)(\/|$)/);
    expect(wanted.length).toBeGreaterThanOrEqual(10);
    const ours = new Set(operations(doc));
    const missing = wanted.filter((op) => !ours.has(op));
    expect(missing, `missing from /openapi.json; it has:\n${[...ours].join('\n')}`).toEqual([]);
  });
});

describe('GET /docs', () => {
  it('is an HTML page whose every referenced asset is served by us', async () => {
    const res = await t.app.request('http://localhost/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.filter((r) => r.includes('.js')).length).toBeGreaterThanOrEqual(2);
    expect(refs.some((r) => r.endsWith('.css'))).toBe(true);
    for (const ref of refs) {
      const url = new URL(ref, 'http://localhost/docs');
      expect(url.origin, `${ref} must not point off-site`).toBe('http://localhost');
      const asset = await t.app.request(url.href);
      expect(asset.status, ref).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(0);
    }
  });

  it('points the renderer at /openapi.json and never at a remote validator', async () => {
    const init = await (await t.app.request('/docs/assets/init.js')).text();
    expect(init).toContain("'openapi.json'");
    expect(init).toContain('validatorUrl: null');
  });

  it('serves nothing else of node_modules', async () => {
    for (const file of ['package.json', '..%2F..%2Fpackage.json', 'swagger-ui-bundle.js.map', 'index.js']) {
      const res = await t.app.request(`/docs/assets/${file}`);
      expect(res.status, file).toBe(404);
      expect(await res.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
  });
});
