import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleRoutes } from '../../src/console/server/index.ts';
import { handleError, notFoundHandler } from '../../src/http/errors.ts';
import { newRouter } from '../../src/http/router.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// /console and /console/assets/*: the UI's files from a folder (a temporary one here), index.html for every
// other console path (the UI routes by hash, but deep links must load too), strict CSP on all of them.

let t: TestApp;
let dir: string;
let app: ReturnType<typeof newRouter>;

beforeAll(async () => {
  t = await createTestApp();
  dir = mkdtempSync(join(tmpdir(), 'sb-console-assets-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Switchboard</title><script type="module" src="/console/assets/app.js"></script>');
  writeFileSync(join(dir, 'app.js'), 'export const ok = 1;\n');
  writeFileSync(join(dir, 'console.css'), 'body { margin: 0 }\n');
  writeFileSync(join(dir, '.env'), 'SECRET=1\n');
  mkdirSync(join(dir, 'icons'));
  writeFileSync(join(dir, 'icons', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(tmpdir(), 'sb-outside.txt'), 'outside');
  app = newRouter();
  app.onError(handleError);
  app.notFound(notFoundHandler);
  app.route('/', consoleRoutes(t.deps, { assetsDir: dir }));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.close();
});

const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });

describe('console static files', () => {
  it('serves files with their content type, no-cache, and the strict CSP', async () => {
    const cases = [
      ['/console/assets/app.js', 'text/javascript; charset=utf-8', 'export const ok'],
      ['/console/assets/console.css', 'text/css; charset=utf-8', 'margin: 0'],
      ['/console/assets/icons/logo.svg', 'image/svg+xml', '<svg'],
    ] as const;
    for (const [path, type, content] of cases) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toContain(content);
    }
    expect(CONSOLE_CSP).toBe(
      "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
  });

  it('answers index.html for /console and any deeper path (SPA fallback), but not for /console/api', async () => {
    for (const path of ['/console', '/console/', '/console/inbox/mine', '/console/sessions/123']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(await res.text()).toContain('<title>Switchboard</title>');
    }
    const api = await get('/console/api/nope');
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('revalidates with the ETag: an unchanged file is a 304', async () => {
    const first = await get('/console/assets/app.js');
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const again = await get('/console/assets/app.js', { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('404s missing files (no fallback to the page) and never leaves the folder or shows dot files', async () => {
    for (const path of [
      '/console/assets/missing.js',
      '/console/assets/.env',
      '/console/assets/icons/..%2f..%2fsb-outside.txt',
      '/console/assets/icons',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('outside');
    }
    // `..` and `%2e%2e` are resolved by URL parsing first: /console/sb-outside.txt, which is the page, not the file.
    for (const path of ['/console/assets/../sb-outside.txt', '/console/assets/%2e%2e/sb-outside.txt']) {
      expect(await (await get(path)).text()).toContain('<title>Switchboard</title>');
    }
  });

  it('is mounted in the whole app at /console (with the real assets folder)', async () => {
    const res = await t.app.request('/console/assets/does-not-exist.js');
    expect(res.status).toBe(404);
    expect((await t.app.request('/console/api/nothing-here')).status).toBe(404);
  });
});
