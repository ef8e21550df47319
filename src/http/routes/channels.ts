import { createRoute } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import {
  channelView,
  createChannel,
  deleteChannel,
  getChannel,
  listChannels,
  patchChannel,
  testChannel,
} from '../../domain/channels/channel-store.ts';
import { bearerSecurity, errorResponses, idempotencyHeader, newRouter } from '../router.ts';
import {
  ChannelDto,
  ChannelList,
  ChannelListQuery,
  ChannelParams,
  ChannelTestResult,
  CreateChannelBody,
  DeletedChannel,
  PatchChannelBody,
} from '../schemas/channels.ts';
import { decodeCursor, encodeCursor, timeIdCursor } from '../schemas/common.ts';

// /channels*: Switchboard's own admin resource (admin keys and Idempotency-Key: app.ts).

const tags = ['Channels'];
const security = bearerSecurity;
const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
const params = ChannelParams;

const create = createRoute({
  method: 'post',
  path: '/channels',
  operationId: 'createChannel',
  summary: 'Create a channel',
  tags,
  security,
  request: { headers: idempotencyHeader, body: body(CreateChannelBody) },
  responses: { 201: json(ChannelDto, 'The new channel'), ...errorResponses },
});

const list = createRoute({
  method: 'get',
  path: '/channels',
  operationId: 'listChannels',
  summary: 'List channels, oldest first',
  tags,
  security,
  request: { query: ChannelListQuery },
  responses: { 200: json(ChannelList, 'A page of channels'), ...errorResponses },
});

const get = createRoute({
  method: 'get',
  path: '/channels/{id}',
  operationId: 'getChannel',
  summary: 'Get a channel',
  tags,
  security,
  request: { params },
  responses: { 200: json(ChannelDto, 'The channel'), ...errorResponses },
});

const patch = createRoute({
  method: 'patch',
  path: '/channels/{id}',
  operationId: 'updateChannel',
  summary: 'Update a channel',
  tags,
  security,
  request: { params, body: body(PatchChannelBody) },
  responses: { 200: json(ChannelDto, 'The updated channel'), ...errorResponses },
});

const remove = createRoute({
  method: 'delete',
  path: '/channels/{id}',
  operationId: 'deleteChannel',
  summary: 'Delete a channel',
  description: 'Soft delete: its sessions and messages stay. The built-in api channel cannot be deleted (409).',
  tags,
  security,
  request: { params },
  responses: { 200: json(DeletedChannel, 'Deleted'), ...errorResponses },
});

const test = createRoute({
  method: 'post',
  path: '/channels/{id}/test',
  operationId: 'testChannel',
  summary: 'Check a channel’s configuration',
  description: 'Whether the adapter can be built from the stored configuration. `ok: false` says why not.',
  tags,
  security,
  request: { params, headers: idempotencyHeader },
  responses: { 200: json(ChannelTestResult, 'The verdict'), ...errorResponses },
});

export function channelRoutes(deps: Deps) {
  const app = newRouter();
  const view = channelView.bind(null, deps);

  app.openapi(create, async (c) => {
    return c.json(view(await createChannel(deps, c.get('auth').orgId, c.req.valid('json'))), 201);
  });

  app.openapi(list, async (c) => {
    const { type, limit, cursor } = c.req.valid('query');
    const after = cursor ? decodeCursor(cursor, timeIdCursor) : undefined;
    const page = await listChannels(deps, c.get('auth').orgId, type, limit, after);
    return c.json({ items: page.items.map(view), next: page.next ? encodeCursor(page.next) : null }, 200);
  });

  app.openapi(get, async (c) => {
    return c.json(view(await getChannel(deps, c.get('auth').orgId, c.req.valid('param').id)), 200);
  });

  app.openapi(patch, async (c) => {
    const row = await patchChannel(deps, c.get('auth').orgId, c.req.valid('param').id, c.req.valid('json'));
    return c.json(view(row), 200);
  });

  app.openapi(remove, async (c) => {
    await deleteChannel(deps, c.get('auth').orgId, c.req.valid('param').id);
    return c.json({ success: true as const }, 200);
  });

  app.openapi(test, async (c) => {
    return c.json(await testChannel(deps, c.get('auth').orgId, c.req.valid('param').id), 200);
  });

  return app;
}
