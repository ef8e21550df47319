import type { Deps } from '../../deps.ts';
import { agentView, agentViews, createAgent, deleteAgent, getAgent, listAgents, patchAgent } from '../../domain/organization/agent-store.ts';
import { ForbiddenError } from '../../errors.ts';
import { afterCursor, crudRoutes, pageBody } from '../crud.ts';
import { newRouter } from '../router.ts';
import {
  AgentDto,
  AgentList,
  AgentListQuery,
  AgentParams,
  agentCursor,
  CreateAgentBody,
  CreatedAgentDto,
  DeletedAgent,
  PatchAgentBody,
} from '../schemas/people.ts';

// /agents*: Switchboard's own resource. Reads for admin and agent keys, writes for admins (app.ts); an agent key
// may also PATCH its own agent's availability (checked here).

const agents = crudRoutes({ tags: ['Agents'], path: '/agents', params: AgentParams });

const create = agents.create({
  operationId: 'createAgent',
  summary: 'Create an agent',
  description: 'A duplicate email (ignoring case) is a 409. With `create_api_key`, the response carries the agent’s key once.',
  body: CreateAgentBody,
  response: CreatedAgentDto,
  says: 'The new agent',
});

const list = agents.list({
  operationId: 'listAgents',
  summary: 'List agents, by number',
  query: AgentListQuery,
  response: AgentList,
  says: 'A page of agents',
});

const get = agents.get({ operationId: 'getAgent', summary: 'Get an agent', response: AgentDto, says: 'The agent' });

const patch = agents.patch({
  operationId: 'updateAgent',
  summary: 'Update an agent',
  description:
    'Coming online (or gaining capacity) offers the agent the sessions waiting in their teams’ queues. An agent key may change only its own agent’s `availability`.',
  body: PatchAgentBody,
  response: AgentDto,
  says: 'The updated agent',
});

const remove = agents.remove({
  operationId: 'deleteAgent',
  summary: 'Delete an agent',
  description: 'Revokes the agent’s API keys. An agent with open sessions assigned is a 409: reassign them first.',
  response: DeletedAgent,
  says: 'Deleted',
});

export interface AgentRouteHooks {
  /**
   * After a committed change that lets an agent take sessions they could not before (PATCH: came online or gained
   * capacity; POST /teams/{id}/members: an online agent joined): offer them the waiting ones (routing.ts
   * waitingSessionsFor → route jobs). A failure is logged, not returned: the change itself stands, and the
   * sweeper routes waiting sessions again anyway.
   */
  onAgentAvailable?: (orgId: string, agentId: string) => Promise<void>;
}

export function agentRoutes(deps: Deps, hooks: AgentRouteHooks = {}) {
  const app = newRouter();
  const { db } = deps;

  app.openapi(create, async (c) => {
    const { create_api_key, avatar_url, phone_number, ...input } = c.req.valid('json');
    const orgId = c.get('auth').orgId;
    const { row, apiKey } = await createAgent(db, orgId, { ...input, avatarUrl: avatar_url, phoneNumber: phone_number }, create_api_key === true);
    return c.json({ ...(await agentView(db, orgId, row)), ...(apiKey ? { api_key: apiKey } : {}) }, 201);
  });

  app.openapi(list, async (c) => {
    const { availability, team_id, limit, cursor } = c.req.valid('query');
    const orgId = c.get('auth').orgId;
    const page = await listAgents(db, orgId, { availability, teamId: team_id }, limit, afterCursor(cursor, agentCursor));
    return c.json(pageBody(await agentViews(db, orgId, page.items), page.next), 200);
  });

  app.openapi(get, async (c) => {
    const orgId = c.get('auth').orgId;
    return c.json(await agentView(db, orgId, await getAgent(db, orgId, c.req.valid('param').id)), 200);
  });

  app.openapi(patch, async (c) => {
    const { orgId, role, agentId } = c.get('auth');
    const id = c.req.valid('param').id;
    const { avatar_url, phone_number, ...input } = c.req.valid('json');
    // An agent may go online, away or offline from their own inbox; everything else is an admin's call.
    if (role !== 'admin' && (agentId !== id || Object.keys(c.req.valid('json')).some((k) => k !== 'availability'))) {
      throw new ForbiddenError('An agent key may only change its own agent’s availability');
    }
    const { row, gainedRoom } = await patchAgent(db, orgId, id, { ...input, avatarUrl: avatar_url, phoneNumber: phone_number });
    if (gainedRoom && hooks.onAgentAvailable) {
      await hooks.onAgentAvailable(orgId, row.id).catch((err: unknown) => {
        c.get('log')?.warn({ err, agentId: row.id }, 'could not offer waiting sessions to an agent');
      });
    }
    return c.json(await agentView(db, orgId, row), 200);
  });

  app.openapi(remove, async (c) => {
    const { revokedKeyIds } = await deleteAgent(db, c.get('auth').orgId, c.req.valid('param').id);
    // The auth cache would otherwise keep the agent's keys working here for a few more seconds.
    for (const keyId of revokedKeyIds) deps.keys.forgetKeyId(keyId);
    return c.json({ success: true as const }, 200);
  });

  return app;
}
