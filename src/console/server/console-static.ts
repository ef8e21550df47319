import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { Context } from 'hono';
import { NotFoundError } from '../../errors.ts';
import type { AppEnv } from '../../http/env.ts';
import { newRouter } from '../../http/router.ts';

// The console's files, served as they are (no build step): /console/assets/<file>, and index.html for /console
// and every other /console/* path, so the UI's own routes survive a reload. The CSP allows nothing but our own
// files: no inline script or style, no other origin, no framing.

export const CONSOLE_CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Plain names in plain folders: no dot files, no `..`, no backslashes or encoded tricks. */
const SAFE_PATH = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export const DEFAULT_ASSETS_DIR = resolve(import.meta.dirname, '../assets');

export function consoleStaticRoutes(assetsDir: string = DEFAULT_ASSETS_DIR) {
  const app = newRouter();
  const root = resolve(assetsDir);

  app.get('/console/assets/*', async (c) => {
    const name = c.req.path.slice('/console/assets/'.length);
    const file = SAFE_PATH.test(name) ? resolve(root, name) : null;
    if (!file || !file.startsWith(root + sep)) throw new NotFoundError('Console file');
    return serveFile(c, file, 'Console file');
  });

  const shell = (c: Context<AppEnv>) => {
    // Unknown API paths stay JSON 404s, not the UI's page.
    if (c.req.path === '/console/api' || c.req.path.startsWith('/console/api/')) throw new NotFoundError('Console API route');
    return serveFile(c, resolve(root, 'index.html'), 'The console (index.html)');
  };
  // Hono's `/console/*` also matches `/console` itself.
  app.get('/console/*', shell);
  return app;
}

async function serveFile(c: Context<AppEnv>, file: string, what: string): Promise<Response> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new NotFoundError(what);
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const headers = {
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    // Revalidate every time: files change in place (no hashed names), and a 304 is cheap.
    'Cache-Control': 'no-cache',
    ETag: etag,
    'Content-Security-Policy': CONSOLE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
  };
  if (c.req.header('if-none-match') === etag) return new Response(null, { status: 304, headers });
  return new Response(new Uint8Array(await readFile(file)), { status: 200, headers });
}
