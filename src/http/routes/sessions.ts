import type { Deps } from '../../deps.ts';
import { createSession, patchSession } from '../../domain/sessions/session-commands.ts';
import { getSession } from '../../domain/sessions/session-queries.ts';
import { chatSessionView } from '../../domain/sessions/session-views.ts';
import { crudRoutes } from '../crud.ts';
import { jsonResponse } from '../openapi-route.ts';
import { idempotencyHeader, newRouter } from '../router.ts';
import { contactDetails } from '../schemas/common.ts';
import { ChatSessionDto, CreatedSession, CreateSessionBody, PatchSessionBody, SessionParams, sessionTags } from '../schemas/sessions.ts';
import { listRoutes } from './sessions-list.ts';
import { messageRoutes } from './sessions-messages.ts';
import { typingRoutes } from './sessions-typing.ts';

const chatSessions = crudRoutes({
  tags: sessionTags,
  path: '/chat/sessions',
  itemPath: '/chat/sessions/{session_id}',
  params: SessionParams,
});

// Not chatSessions.create: Open's body here is optional (`requestBody` without `required`).
const create = chatSessions.route({
  method: 'post',
  path: '/chat/sessions',
  operationId: 'createChatSession',
  summary: 'Create a chat session',
  request: { headers: idempotencyHeader, body: { content: { 'application/json': { schema: CreateSessionBody } } } },
  responses: { 201: jsonResponse(CreatedSession, 'The new session') },
});

const get = chatSessions.get({
  operationId: 'getChatSession',
  summary: 'Get a chat session',
  response: ChatSessionDto,
  says: 'The session',
});

const patch = chatSessions.patch({
  operationId: 'updateChatSession',
  summary: 'Update a chat session',
  body: PatchSessionBody,
  response: ChatSessionDto,
  says: 'The updated session',
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
