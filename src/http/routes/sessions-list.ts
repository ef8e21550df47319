import { z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { filterSessions, listSessions, type SessionCursor } from '../../domain/sessions/session-queries.ts';
import { chatSessionView } from '../../domain/sessions/session-views.ts';
import { afterCursor, pageBody } from '../crud.ts';
import { bearerRoutes, jsonBody, jsonResponse } from '../openapi-route.ts';
import { idempotencyHeader } from '../router.ts';
import { channelKindsOf, FilterBody, FilterResult, SessionList, SessionListQuery, sessionTags } from '../schemas/sessions.ts';
import type { SessionRouter } from './sessions-router.ts';

// GET /chat/sessions (keyset cursor, Open's) and POST /chat/sessions/filter (page numbers).

/** The UTC µs timestamp the list query produced: checked here, before SQL casts it back. */
const pgTimestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
  .refine((v) => sameSecond(v), 'not a real time');

/** A real calendar time (no Feb 30, no hour 25): it survives a round trip through Date. */
function sameSecond(v: string): boolean {
  const d = new Date(`${v.slice(0, 19)}Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 19) === v.slice(0, 19);
}
const cursorShape = z.tuple([pgTimestamp, z.guid()]);

const route = bearerRoutes(sessionTags);

const list = route({
  method: 'get',
  path: '/chat/sessions',
  operationId: 'listChatSessions',
  summary: 'List chat sessions, newest activity first',
  description:
    'Open’s filters (`status`, `channel_type`, `handed_off`, `cursor`) plus Switchboard’s: dates, `contact_id`, ' +
    '`assignee_id`, `unassigned`, `team_id`, `priority` and free-text `q`. All filters combine with AND.',
  request: { query: SessionListQuery },
  responses: { 200: jsonResponse(SessionList, 'A page of sessions') },
});

const filter = route({
  method: 'post',
  path: '/chat/sessions/filter',
  operationId: 'filterChatSessions',
  summary: 'Filter chat sessions (page-numbered)',
  description: 'Each list filter matches any of its values; different filters combine with AND.',
  request: { headers: idempotencyHeader, body: jsonBody(FilterBody) },
  responses: { 200: jsonResponse(FilterResult, 'A page of sessions') },
});

export function listRoutes(app: SessionRouter, deps: Deps): void {
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const after: SessionCursor | undefined = afterCursor(q.cursor, cursorShape);
    const channelTypes = channelKindsOf(q.channel_type ? [q.channel_type] : undefined);
    if (channelTypes === null) return c.json(pageBody([], null), 200);
    const page = await listSessions(
      deps.db,
      c.get('auth').orgId,
      {
        statuses: q.status ? [q.status] : undefined,
        channelTypes,
        priorities: q.priority ? [q.priority] : undefined,
        handedOff: q.handed_off,
        unassigned: q.unassigned,
        createdAfter: q.created_after,
        createdBefore: q.created_before,
        updatedAfter: q.updated_after,
        updatedBefore: q.updated_before,
        contactIds: q.contact_id ? [q.contact_id] : undefined,
        assigneeIds: q.assignee_id ? [q.assignee_id] : undefined,
        teamIds: q.team_id ? [q.team_id] : undefined,
        q: q.q,
        tags: q.tags,
      },
      q.limit,
      after,
    );
    return c.json(pageBody(page.items.map(chatSessionView), page.next), 200);
  });

  app.openapi(filter, async (c) => {
    const { filters: f, sort_by, sort_order, page, limit } = c.req.valid('json');
    const channelTypes = channelKindsOf(f.channel_types);
    if (channelTypes === null) return c.json({ data: [], page, limit, has_next: false, has_previous: page > 1 }, 200);
    const result = await filterSessions(
      deps.db,
      c.get('auth').orgId,
      {
        statuses: f.status,
        channelTypes,
        sentiments: f.sentiment,
        priorities: f.priority,
        assigneeIds: f.assignee_ids,
        unassigned: f.unassigned,
        teamIds: f.team_ids,
        contactIds: f.contact_ids,
        createdAfter: f.created_after,
        createdBefore: f.created_before,
        customData: f.custom_data,
        q: f.q,
        tags: f.tags,
      },
      { sortBy: sort_by, sortOrder: sort_order, page, limit },
    );
    const data = result.items.map(chatSessionView);
    return c.json({ data, page, limit, has_next: result.hasNext, has_previous: page > 1 }, 200);
  });
}
