import { changeTags } from '../../domain/sessions/session-tags.ts';
import type { Deps } from '../../deps.ts';
import { bearerRoutes, jsonBody, jsonResponse } from '../openapi-route.ts';
import { AddTagsBody, SessionParams, SessionTagsDto, sessionTags, TagParams } from '../schemas/sessions.ts';
import type { SessionRouter } from './sessions-router.ts';

// Session tags (Switchboard's operations; Chatwoot calls them labels): add some, remove one. PATCH
// /chat/sessions/{id} with `tags` replaces the whole set. Normalizing and the event are in session-tags.ts.

const route = bearerRoutes(sessionTags);

const add = route({
  method: 'post',
  path: '/chat/sessions/{session_id}/tags',
  operationId: 'addSessionTags',
  summary: 'Add tags to a session',
  request: { params: SessionParams, body: jsonBody(AddTagsBody) },
  responses: { 200: jsonResponse(SessionTagsDto, 'The session’s tags now') },
});

const remove = route({
  method: 'delete',
  path: '/chat/sessions/{session_id}/tags/{tag}',
  operationId: 'removeSessionTag',
  summary: 'Remove a tag from a session',
  description: 'Removing a tag the session does not have changes nothing and answers 200.',
  request: { params: TagParams },
  responses: { 200: jsonResponse(SessionTagsDto, 'The session’s tags now') },
});

export function tagRoutes(app: SessionRouter, deps: Deps): void {
  app.openapi(add, async (c) => {
    const { orgId, agentId } = c.get('auth');
    const tags = await changeTags(deps.db, orgId, c.req.valid('param').session_id, { add: c.req.valid('json').tags }, { agentId });
    return c.json({ tags }, 200);
  });

  app.openapi(remove, async (c) => {
    const { orgId, agentId } = c.get('auth');
    const { session_id, tag } = c.req.valid('param');
    return c.json({ tags: await changeTags(deps.db, orgId, session_id, { remove: [tag] }, { agentId }) }, 200);
  });
}
