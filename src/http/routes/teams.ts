import { createRoute } from '@hono/zod-openapi';
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
import { bearerSecurity, errorResponses, idempotencyHeader, newRouter } from '../router.ts';
import { decodeCursor, encodeCursor, timeIdCursor } from '../schemas/common.ts';
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

const tags = ['Teams'];
const security = bearerSecurity;
const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
const params = TeamParams;
const route = <R extends Parameters<typeof createRoute>[0]>(r: R) => createRoute({ tags, security, ...r });

const create = route({
  method: 'post',
  path: '/teams',
  operationId: 'createTeam',
  summary: 'Create a team',
  request: { headers: idempotencyHeader, body: body(CreateTeamBody) },
  responses: { 201: json(TeamDto, 'The new team'), ...errorResponses },
});

const list = route({
  method: 'get',
  path: '/teams',
  operationId: 'listTeams',
  summary: 'List teams, oldest first',
  request: { query: TeamListQuery },
  responses: { 200: json(TeamList, 'A page of teams'), ...errorResponses },
});

const get = route({
  method: 'get',
  path: '/teams/{id}',
  operationId: 'getTeam',
  summary: 'Get a team and its members',
  request: { params },
  responses: { 200: json(TeamDto, 'The team'), ...errorResponses },
});

const patch = route({
  method: 'patch',
  path: '/teams/{id}',
  operationId: 'updateTeam',
  summary: 'Update a team',
  request: { params, body: body(PatchTeamBody) },
  responses: { 200: json(TeamDto, 'The updated team'), ...errorResponses },
});

const remove = route({
  method: 'delete',
  path: '/teams/{id}',
  operationId: 'deleteTeam',
  summary: 'Delete a team',
  description: 'A team with open sessions filed under it is a 409: move them to another team first.',
  request: { params },
  responses: { 200: json(DeletedTeam, 'Deleted'), ...errorResponses },
});

const addMemberRoute = route({
  method: 'post',
  path: '/teams/{id}/members',
  operationId: 'addTeamMember',
  summary: 'Add an agent to a team',
  description: 'Adding a member again changes nothing.',
  request: { params, headers: idempotencyHeader, body: body(AddMemberBody) },
  responses: { 200: json(TeamDto, 'The team with its members'), ...errorResponses },
});

const removeMemberRoute = route({
  method: 'delete',
  path: '/teams/{id}/members/{agent_id}',
  operationId: 'removeTeamMember',
  summary: 'Remove an agent from a team',
  request: { params: TeamMemberParams },
  responses: { 200: json(TeamDto, 'The team with its members'), ...errorResponses },
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
    const after = cursor ? decodeCursor(cursor, timeIdCursor) : undefined;
    const orgId = c.get('auth').orgId;
    const page = await listTeams(db, orgId, limit, after);
    return c.json({ items: await teamViews(db, orgId, page.items), next: page.next ? encodeCursor(page.next) : null }, 200);
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
