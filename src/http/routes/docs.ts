import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';

// GET /openapi.json: OpenAPI 3.1 generated from the same zod schemas that validate requests.
// GET /docs: Swagger UI, served from the swagger-ui-dist package in node_modules (no CDN: works offline).

const VERSION = '0.1.0';

const DESCRIPTION = `Switchboard is an omnichannel support gateway. Its chat-session and contact API is compatible with
Open's (open.cx) public API: same paths, fields, enums and envelopes.

**Authentication.** Every call sends \`Authorization: Bearer <api key>\`. A key belongs to one organization and has a
role: \`admin\` (everything), \`agent\` (sessions, contacts, messages) or \`widget\` (web chat only). A missing or invalid
key gives 401, a key without the right gives 403, another organization's object gives 404.

**Errors.** \`{ "statusCode": 400, "message": "…", "error": "Bad Request" }\`, plus \`details: [{ path, message }]\` for
validation errors.

**Lists.** \`?cursor=\` and \`?limit=\` (default 20, max 100); responses are \`{ "items": [...], "next": "<cursor>" | null }\`.

**Idempotency.** Every POST accepts \`Idempotency-Key\`: a repeat with the same key and body returns the first response
and changes nothing; the same key with another body gives 409.`;

/** The files of swagger-ui-dist that the page loads; nothing else of node_modules is reachable. */
const VENDOR_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const require = createRequire(import.meta.url);
const vendorDir = () => dirname(require.resolve('swagger-ui-dist/package.json'));

/** Our initializer, served as a file (not inline) so a strict Content-Security-Policy can allow 'self' only. */
const INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: new URL('openapi.json', window.location.href).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout'
  });
});
`;

const HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Switchboard API</title>
  <link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="docs/assets/swagger-ui.css">
</head>
<body>
  <noscript>This page needs JavaScript. The raw document is at <a href="openapi.json">/openapi.json</a>.</noscript>
  <div id="swagger-ui"></div>
  <script src="docs/assets/swagger-ui-bundle.js"></script>
  <script src="docs/assets/init.js"></script>
</body>
</html>
`;

/**
 * Mounts /openapi.json and /docs. `publicUrl` (PUBLIC_URL, or its default) is the first server of the document;
 * the origin the document was requested from is offered second when it differs (local use, port forwards).
 */
export function mountDocs(app: OpenAPIHono<AppEnv>, publicUrl?: string): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key of the organization: `Authorization: Bearer sb_admin_…`.',
  });

  app.doc31('/openapi.json', (c) => {
    const origin = new URL(c.req.url).origin;
    const urls = [...new Set([publicUrl?.replace(/\/+$/, ''), origin].filter((u): u is string => Boolean(u)))];
    return {
      openapi: '3.1.0',
      info: {
        title: 'Switchboard API',
        version: VERSION,
        description: DESCRIPTION,
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: urls.map((url, i) => ({ url, description: i === 0 && publicUrl ? 'Public URL' : 'This server' })),
    };
  });

  // Relative asset URLs above resolve against /docs, so the page also works behind a path prefix.
  app.get('/docs', (c) => c.html(HTML, 200, { 'cache-control': 'no-cache' }));
  app.get('/docs/', (c) => c.redirect('../docs', 301));
  app.get('/docs/assets/init.js', (c) =>
    c.body(INIT_JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }),
  );

  const cache = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = VENDOR_ASSETS[file];
    if (!type) return c.notFound();
    let body = cache.get(file);
    if (!body) {
      body = readFile(join(vendorDir(), file)).then((b) => new Uint8Array(b));
      cache.set(file, body);
      body.catch(() => cache.delete(file));
    }
    return c.body(await body, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
}
