import type { Deps } from '../../deps.ts';
import { createSession, patchSession } from '../../domain/sessions/session-commands.ts';
import { getSession } from '../../domain/sessions/session-queries.ts';
import { chatSessionView } from '../../domain/sessions/session-views.ts';
import { crudRoutes } from '../crud.ts';
import { jsonResponse } from '../openapi-route.ts';
import { idempotencyHeader, newRouter } from '../router.ts';
import { contactDetails } from '../schemas/common.ts';
import { CHANNEL_KINDS, type ChannelKind } from '../../domain/model/enums.ts';
import { ValidationError } from '../../errors.ts';
import {
  channelKindsOf,
  ChatSessionDto,
  CreatedSession,
  CreateSessionBody,
  type OpenChannelType,
  PatchSessionBody,
  SessionParams,
  sessionTags,
} from '../schemas/sessions.ts';
import { listRoutes } from './sessions-list.ts';
import { messageRoutes } from './sessions-messages.ts';
import { tagRoutes } from './sessions-tags.ts';
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

/** A channel type Switchboard has channels of; Open's others (web_voice, instagram, messenger) are a clear 400. */
function switchboardKind(type: OpenChannelType): ChannelKind {
  const [kind] = channelKindsOf([type]) ?? [];
  if (kind) return kind;
  const message = `Switchboard has no ${type} channels; open the session on one of: ${CHANNEL_KINDS.join(', ')}`;
  throw new ValidationError(message, [{ path: 'channel.type', message }]);
}

/** /chat/sessions*: Open's chat-sessions API. Auth and Idempotency-Key are applied in app.ts. */
export function sessionRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const id = await createSession(deps.db, c.get('auth').orgId, {
      contactId: body.contact_id,
      contact: body.contact ? contactDetails(body.contact) : undefined,
      // Open's default: a session opened without a channel is on the organization's built-in one.
      channelType: switchboardKind(body.channel?.type ?? deps.channels.builtInKind()),
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
      tags: body.tags,
      close: {
        summarize: body.generate_summary_and_sentiment_on_resolve,
        reflect: body.reflect_status_change_for_integration,
        payload: body.session_closed_payload,
      },
    }, { agentId });
    return c.json(chatSessionView(await getSession(deps.db, orgId, session_id)), 200);
  });

  listRoutes(app, deps);
  messageRoutes(app, deps);
  typingRoutes(app, deps);
  tagRoutes(app, deps);
  return app;
}
