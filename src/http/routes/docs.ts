import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';

/** GET /openapi.json (OpenAPI 3.1 from the same zod schemas that validate requests) and GET /docs. */
export function mountDocs(app: OpenAPIHono<AppEnv>): void {
  app.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 'Switchboard API', version: '0.1.0' } });
}
