import { z } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import { agents } from '../../db/schema/index.ts';
import type { Deps } from '../../deps.ts';
import { showAgentTyping } from '../../domain/sessions/typing.ts';
import { bearerRoutes, jsonResponse } from '../openapi-route.ts';
import { SessionParams, sessionTags } from '../schemas/sessions.ts';
import type { SessionRouter } from './sessions-router.ts';

// POST /chat/sessions/{session_id}/typing: an agent is writing. The customer sees "<name> is typing…" where the
// channel can show it (web chat); nothing is stored. Switchboard's own operation.

const TypingBody = z
  .object({
    active: z.boolean().default(true).openapi({ description: 'false hides the indicator.' }),
    agent: z.object({ name: z.string().min(1).max(200) }).optional().openapi({ description: 'Who is typing (an agent key is its own agent).' }),
  })
  .openapi('TypingInput');

const typing = bearerRoutes(sessionTags)({
  method: 'post',
  path: '/chat/sessions/{session_id}/typing',
  operationId: 'showTyping',
  summary: 'Show the customer that an agent is typing',
  request: { params: SessionParams, body: { required: false, content: { 'application/json': { schema: TypingBody } } } },
  responses: {
    202: jsonResponse(z.object({ success: z.literal(true) }), 'Signalled (where the channel has a typing indicator)'),
  },
});

export function typingRoutes(app: SessionRouter, deps: Deps): void {
  app.openapi(typing, async (c) => {
    const { orgId, agentId } = c.get('auth');
    const body = c.req.valid('json') ?? { active: true };
    let name = body.agent?.name ?? null;
    if (agentId) {
      const [row] = await deps.db.select({ name: agents.name }).from(agents).where(and(eq(agents.orgId, orgId), eq(agents.id, agentId)));
      name = row?.name ?? name;
    }
    await showAgentTyping(deps, orgId, c.req.valid('param').session_id, name, body.active);
    return c.json({ success: true as const }, 202);
  });
}
