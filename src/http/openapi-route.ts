import { createRoute } from '@hono/zod-openapi';
import { bearerSecurity, errorResponses } from './router.ts';

// The pieces every route definition (@hono/zod-openapi createRoute) repeats, so a route file states only what is
// its own: path, operation id, texts, schemas. The document they build is served at /openapi.json (README.md).

/** A JSON response entry of a route definition. */
export const jsonResponse = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

/** A required JSON request body of a route definition. */
export const jsonBody = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });

type RouteInput = Parameters<typeof createRoute>[0];

/**
 * createRoute for the operations behind an API key: each gets the tags, Bearer security and the error responses
 * every authenticated operation may give (router.ts) besides its own.
 */
export function bearerRoutes(tags: string[]) {
  return <R extends RouteInput>(r: R) =>
    createRoute({ ...r, tags, security: bearerSecurity, responses: { ...r.responses, ...errorResponses } });
}
