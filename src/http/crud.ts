import type { z } from '@hono/zod-openapi';
import { bearerRoutes, jsonBody, jsonResponse } from './openapi-route.ts';
import { idempotencyHeader } from './router.ts';
import { decodeCursor, encodeCursor } from './schemas/common.ts';

// Most resources have one shape: create and list on the collection; get, update and delete on an item; lists are
// `{ items, next }` pages on an opaque keyset cursor (src/db/keyset.ts). crudRoutes builds those route
// definitions from what differs; the handlers stay in each route file, typed by their definitions.

/** What params and query schemas may be (zod-to-openapi: an object, or an object behind a transform). */
type RequestParts = z.ZodObject | z.ZodPipe;

/** What an operation says of itself in the document. */
interface OperationText {
  operationId: string;
  summary: string;
  description?: string;
}

/** The success response: its schema and description. */
interface Returns<D> {
  response: D;
  says: string;
}

export interface Resource<Params> {
  tags: string[];
  /** The collection, e.g. `/teams`. */
  path: string;
  /** One item; `${path}/{id}` unless given. */
  itemPath?: string;
  /** The item path's parameters. */
  params: Params;
}

/**
 * The route definitions of a resource: `create` (POST, 201, with Idempotency-Key), `list` (GET with a query),
 * `get`, `patch` (JSON body) and `remove` (DELETE), plus `route` for its other operations. Every one is behind an
 * API key and may give the shared error responses (openapi-route.ts).
 */
export function crudRoutes<Params extends RequestParts>(resource: Resource<Params>) {
  const route = bearerRoutes(resource.tags);
  const { path, params } = resource;
  const item = resource.itemPath ?? `${path}/{id}`;
  return {
    route,
    create: <B extends z.ZodType, D extends z.ZodType>({ body, response, says, ...text }: OperationText & Returns<D> & { body: B }) =>
      route({
        method: 'post',
        path,
        ...text,
        request: { headers: idempotencyHeader, body: jsonBody(body) },
        responses: { 201: jsonResponse(response, says) },
      }),
    list: <Q extends RequestParts, D extends z.ZodType>({ query, response, says, ...text }: OperationText & Returns<D> & { query: Q }) =>
      route({ method: 'get', path, ...text, request: { query }, responses: { 200: jsonResponse(response, says) } }),
    get: <D extends z.ZodType>({ response, says, ...text }: OperationText & Returns<D>) =>
      route({ method: 'get', path: item, ...text, request: { params }, responses: { 200: jsonResponse(response, says) } }),
    patch: <B extends z.ZodType, D extends z.ZodType>({ body, response, says, ...text }: OperationText & Returns<D> & { body: B }) =>
      route({
        method: 'patch',
        path: item,
        ...text,
        request: { params, body: jsonBody(body) },
        responses: { 200: jsonResponse(response, says) },
      }),
    remove: <D extends z.ZodType>({ response, says, ...text }: OperationText & Returns<D>) =>
      route({ method: 'delete', path: item, ...text, request: { params }, responses: { 200: jsonResponse(response, says) } }),
  };
}

/** The keyset position a `?cursor=` names (a 400 if it is not one of ours), or undefined on the first page. */
export function afterCursor<T>(cursor: string | undefined, shape: z.ZodType<T>): T | undefined {
  return cursor ? decodeCursor(cursor, shape) : undefined;
}

/** A `{ items, next }` page: the items as shown, and the next page's opaque cursor (null on the last page). */
export function pageBody<V>(items: V[], next: readonly (string | number)[] | null) {
  return { items, next: next ? encodeCursor(next) : null };
}
