import { z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { retryDispatch } from '../../domain/outbound/dispatch-retry.ts';
import { sendMessage } from '../../domain/sessions/session-send.ts';
import { listHistory } from '../../domain/sessions/session-queries.ts';
import { attachmentUrl } from '../../domain/files/attachment-urls.ts';
import { type AttachmentUrlOf, historyItemView } from '../../domain/sessions/session-views.ts';
import { afterCursor, pageBody } from '../crud.ts';
import { bearerRoutes, jsonBody, jsonResponse } from '../openapi-route.ts';
import { idempotencyHeader } from '../router.ts';
import { contactDetails } from '../schemas/common.ts';
import { HistoryList, HistoryQuery, SendBody, SendResult, SessionParams, sessionTags } from '../schemas/sessions.ts';
import type { SessionRouter } from './sessions-router.ts';

// POST /chat/sessions/{session_id}/send and GET /chat/sessions/{session_id}/history.

const historyCursor = z.tuple([z.int().nonnegative()]);
const route = bearerRoutes(sessionTags);

const send = route({
  method: 'post',
  path: '/chat/sessions/{session_id}/send',
  operationId: 'sendMessage',
  summary: 'Send a message (as the contact, or as an agent)',
  request: { params: SessionParams, headers: idempotencyHeader, body: jsonBody(SendBody) },
  responses: { 201: jsonResponse(SendResult, 'The stored message') },
});

const history = route({
  method: 'get',
  path: '/chat/sessions/{session_id}/history',
  operationId: 'listChatHistory',
  summary: 'List a chat session’s history, oldest first',
  request: { params: SessionParams, query: HistoryQuery },
  responses: { 200: jsonResponse(HistoryList, 'A page of history') },
});

const MessageParams = SessionParams.extend({
  message_id: z.guid().openapi({ format: 'uuid', param: { name: 'message_id', in: 'path' } }),
});

const retry = route({
  method: 'post',
  path: '/chat/sessions/{session_id}/messages/{message_id}/retry',
  operationId: 'retryMessageDelivery',
  summary: 'Send a reply whose delivery failed once more',
  request: { params: MessageParams, headers: idempotencyHeader },
  responses: {
    202: jsonResponse(z.object({ success: z.literal(true) }), 'Queued for dispatch again'),
    503: { description: 'The queue is unavailable' },
  },
});

export function messageRoutes(app: SessionRouter, deps: Deps): void {
  app.openapi(send, async (c) => {
    const { orgId, agentId } = c.get('auth');
    const body = c.req.valid('json');
    const messageId = await sendMessage(
      deps,
      orgId,
      c.req.valid('param').session_id,
      {
        sender: body.sender,
        text: body.message.text,
        attachments: body.message.attachments.map((a) => ({
          filename: a.name,
          contentType: a.mime_type,
          url: a.url,
          base64: a.base64,
        })),
        contact: body.contact ? contactDetails(body.contact) : undefined,
        customData: body.custom_data,
        agent: body.agent && { id: body.agent.id, name: body.agent.name, avatarUrl: body.agent.avatar_url },
        takeOver: body.should_take_over_session_from_ai,
        private: body.private,
      },
      { agentId },
    );
    return c.json({ success: true as const, data: { message: { id: messageId } } }, 201);
  });

  app.openapi(history, async (c) => {
    const q = c.req.valid('query');
    const page = await listHistory(deps.db, c.get('auth').orgId, c.req.valid('param').session_id, {
      limit: q.limit,
      after: afterCursor(q.cursor, historyCursor),
      includeStatusChanges: q.include_status_changes ?? false,
    });
    const urlOf: AttachmentUrlOf = (a) => attachmentUrl(a, deps.config.publicUrl, deps.config.secret);
    return c.json(pageBody(page.items.map((r) => historyItemView(r, urlOf)), page.next), 200);
  });

  app.openapi(retry, async (c) => {
    const { session_id, message_id } = c.req.valid('param');
    await retryDispatch(deps, c.get('auth').orgId, session_id, message_id);
    return c.json({ success: true as const }, 202);
  });
}
