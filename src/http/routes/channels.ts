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
import { afterCursor, crudRoutes, pageBody } from '../crud.ts';
import { jsonResponse } from '../openapi-route.ts';
import { idempotencyHeader, newRouter } from '../router.ts';
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
import { timeIdCursor } from '../schemas/common.ts';

// /channels*: Switchboard's own admin resource (admin keys and Idempotency-Key: app.ts).

const channels = crudRoutes({ tags: ['Channels'], path: '/channels', params: ChannelParams });

const create = channels.create({
  operationId: 'createChannel',
  summary: 'Create a channel',
  body: CreateChannelBody,
  response: ChannelDto,
  says: 'The new channel',
});

const list = channels.list({
  operationId: 'listChannels',
  summary: 'List channels, oldest first',
  query: ChannelListQuery,
  response: ChannelList,
  says: 'A page of channels',
});

const get = channels.get({ operationId: 'getChannel', summary: 'Get a channel', response: ChannelDto, says: 'The channel' });

const patch = channels.patch({
  operationId: 'updateChannel',
  summary: 'Update a channel',
  body: PatchChannelBody,
  response: ChannelDto,
  says: 'The updated channel',
});

const remove = channels.remove({
  operationId: 'deleteChannel',
  summary: 'Delete a channel',
  description: 'Soft delete: its sessions and messages stay. The built-in api channel cannot be deleted (409).',
  response: DeletedChannel,
  says: 'Deleted',
});

const test = channels.route({
  method: 'post',
  path: '/channels/{id}/test',
  operationId: 'testChannel',
  summary: 'Check a channel’s configuration',
  description: 'Whether the adapter can be built from the stored configuration. `ok: false` says why not.',
  request: { params: ChannelParams, headers: idempotencyHeader },
  responses: { 200: jsonResponse(ChannelTestResult, 'The verdict') },
});

export function channelRoutes(deps: Deps) {
  const app = newRouter();
  const view = channelView.bind(null, deps);

  app.openapi(create, async (c) => {
    return c.json(view(await createChannel(deps, c.get('auth').orgId, c.req.valid('json'))), 201);
  });

  app.openapi(list, async (c) => {
    const { type, limit, cursor } = c.req.valid('query');
    const page = await listChannels(deps, c.get('auth').orgId, type, limit, afterCursor(cursor, timeIdCursor));
    return c.json(pageBody(page.items.map(view), page.next), 200);
  });

  app.openapi(get, async (c) => {
    return c.json(view(await getChannel(deps, c.get('auth').orgId, c.req.valid('param').id)), 200);
  });

  app.openapi(patch, async (c) => {
    const { csat_enabled, ...patch } = c.req.valid('json');
    const row = await patchChannel(deps, c.get('auth').orgId, c.req.valid('param').id, { ...patch, csatEnabled: csat_enabled });
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
