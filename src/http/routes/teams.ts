import type { Deps } from '../../deps.ts';
import {
  addMember,
  createTeam,
  deleteTeam,
  getTeam,
  listTeams,
  patchTeam,
  removeMember,
  teamView,
  teamViews,
} from '../../domain/organization/team-store.ts';
import type { AgentRouteHooks } from './agents.ts';
import { afterCursor, crudRoutes, pageBody } from '../crud.ts';
import { jsonBody, jsonResponse } from '../openapi-route.ts';
import { idempotencyHeader, newRouter } from '../router.ts';
import { timeIdCursor } from '../schemas/common.ts';
import {
  AddMemberBody,
  CreateTeamBody,
  DeletedTeam,
  PatchTeamBody,
  TeamDto,
  TeamList,
  TeamListQuery,
  TeamMemberParams,
  TeamParams,
} from '../schemas/people.ts';

// /teams*: routing queues with members. Reads for admin and agent keys, writes for admins (app.ts).

const teams = crudRoutes({ tags: ['Teams'], path: '/teams', params: TeamParams });

const create = teams.create({
  operationId: 'createTeam',
  summary: 'Create a team',
  body: CreateTeamBody,
  response: TeamDto,
  says: 'The new team',
});

const list = teams.list({
  operationId: 'listTeams',
  summary: 'List teams, oldest first',
  query: TeamListQuery,
  response: TeamList,
  says: 'A page of teams',
});

const get = teams.get({ operationId: 'getTeam', summary: 'Get a team and its members', response: TeamDto, says: 'The team' });

const patch = teams.patch({
  operationId: 'updateTeam',
  summary: 'Update a team',
  body: PatchTeamBody,
  response: TeamDto,
  says: 'The updated team',
});

const remove = teams.remove({
  operationId: 'deleteTeam',
  summary: 'Delete a team',
  description: 'A team with open sessions filed under it is a 409: move them to another team first.',
  response: DeletedTeam,
  says: 'Deleted',
});

const addMemberRoute = teams.route({
  method: 'post',
  path: '/teams/{id}/members',
  operationId: 'addTeamMember',
  summary: 'Add an agent to a team',
  description: 'Adding a member again changes nothing.',
  request: { params: TeamParams, headers: idempotencyHeader, body: jsonBody(AddMemberBody) },
  responses: { 200: jsonResponse(TeamDto, 'The team with its members') },
});

const removeMemberRoute = teams.route({
  method: 'delete',
  path: '/teams/{id}/members/{agent_id}',
  operationId: 'removeTeamMember',
  summary: 'Remove an agent from a team',
  request: { params: TeamMemberParams },
  responses: { 200: jsonResponse(TeamDto, 'The team with its members') },
});

export function teamRoutes(deps: Deps, hooks: AgentRouteHooks = {}) {
  const app = newRouter();
  const { db } = deps;

  app.openapi(create, async (c) => {
    const { business_hours, ...input } = c.req.valid('json');
    const orgId = c.get('auth').orgId;
    return c.json(await teamView(db, orgId, await createTeam(db, orgId, { ...input, businessHours: business_hours })), 201);
  });

  app.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const orgId = c.get('auth').orgId;
    const page = await listTeams(db, orgId, limit, afterCursor(cursor, timeIdCursor));
    return c.json(pageBody(await teamViews(db, orgId, page.items), page.next), 200);
  });

  app.openapi(get, async (c) => {
    const orgId = c.get('auth').orgId;
    return c.json(await teamView(db, orgId, await getTeam(db, orgId, c.req.valid('param').id)), 200);
  });

  app.openapi(patch, async (c) => {
    const { business_hours, ...input } = c.req.valid('json');
    const orgId = c.get('auth').orgId;
    const row = await patchTeam(db, orgId, c.req.valid('param').id, { ...input, businessHours: business_hours });
    return c.json(await teamView(db, orgId, row), 200);
  });

  app.openapi(remove, async (c) => {
    await deleteTeam(db, c.get('auth').orgId, c.req.valid('param').id);
    return c.json({ success: true as const }, 200);
  });

  app.openapi(addMemberRoute, async (c) => {
    const orgId = c.get('auth').orgId;
    const agentId = c.req.valid('json').agent_id;
    const { team, joined } = await addMember(db, orgId, c.req.valid('param').id, agentId);
    if (joined && hooks.onAgentAvailable) {
      await hooks.onAgentAvailable(orgId, agentId).catch((err: unknown) => {
        c.get('log')?.warn({ err, agentId }, 'could not offer waiting sessions to an agent');
      });
    }
    return c.json(await teamView(db, orgId, team), 200);
  });

  app.openapi(removeMemberRoute, async (c) => {
    const orgId = c.get('auth').orgId;
    const { id, agent_id } = c.req.valid('param');
    return c.json(await teamView(db, orgId, await removeMember(db, orgId, id, agent_id)), 200);
  });

  return app;
}
