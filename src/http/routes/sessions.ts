import { createRoute } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { createSession, patchSession } from '../../domain/sessions/session-commands.ts';
import { getSession } from '../../domain/sessions/session-queries.ts';
import { chatSessionView } from '../../domain/sessions/session-views.ts';
import { bearerSecurity, errorResponses, idempotencyHeader, newRouter } from '../router.ts';
import { contactDetails } from '../schemas/common.ts';
import {
  ChatSessionDto,
  CreatedSession,
  CreateSessionBody,
  jsonBody,
  jsonResponse,
  PatchSessionBody,
  SessionParams,
  sessionTags,
} from '../schemas/sessions.ts';
import { listRoutes } from './sessions-list.ts';
import { messageRoutes } from './sessions-messages.ts';
import { typingRoutes } from './sessions-typing.ts';

const json = jsonResponse;
const tags = sessionTags;

const create = createRoute({
  method: 'post',
  path: '/chat/sessions',
  operationId: 'createChatSession',
  summary: 'Create a chat session',
  tags,
  security: bearerSecurity,
  request: { headers: idempotencyHeader, body: { content: { 'application/json': { schema: CreateSessionBody } } } },
  responses: { 201: json(CreatedSession, 'The new session'), ...errorResponses },
});

const get = createRoute({
  method: 'get',
  path: '/chat/sessions/{session_id}',
  operationId: 'getChatSession',
  summary: 'Get a chat session',
  tags,
  security: bearerSecurity,
  request: { params: SessionParams },
  responses: { 200: json(ChatSessionDto, 'The session'), ...errorResponses },
});

const patch = createRoute({
  method: 'patch',
  path: '/chat/sessions/{session_id}',
  operationId: 'updateChatSession',
  summary: 'Update a chat session',
  tags,
  security: bearerSecurity,
  request: { params: SessionParams, body: jsonBody(PatchSessionBody) },
  responses: { 200: json(ChatSessionDto, 'The updated session'), ...errorResponses },
});

/** /chat/sessions*: Open's chat-sessions API. Auth and Idempotency-Key are applied in app.ts. */
export function sessionRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const id = await createSession(deps.db, c.get('auth').orgId, {
      contactId: body.contact_id,
      contact: body.contact ? contactDetails(body.contact) : undefined,
      // Open's default: a session opened without a channel is on the organization's built-in one.
      channelType: body.channel?.type ?? deps.channels.builtInKind(),
      customData: body.custom_data,
      verified: body.verified,
    });
    return c.json({ id }, 201);
  });

  app.openapi(get, async (c) => {
    const record = await getSession(deps.db, c.get('auth').orgId, c.req.valid('param').session_id);
    return c.json(chatSessionView(record), 200);
  });

  app.openapi(patch, async (c) => {
    const { orgId, agentId } = c.get('auth');
    const { session_id } = c.req.valid('param');
    const body = c.req.valid('json');
    await patchSession(deps.db, orgId, session_id, {
      status: body.status,
      customData: body.custom_data,
      assigneeId: body.assignee_id,
      teamId: body.team_id,
      priority: body.priority,
      handedOff: body.handed_off,
    }, { agentId });
    return c.json(chatSessionView(await getSession(deps.db, orgId, session_id)), 200);
  });

  listRoutes(app, deps);
  messageRoutes(app, deps);
  typingRoutes(app, deps);
  return app;
}
