import type { Deps } from '../../deps.ts';
import { runAction, type RunAs } from '../../domain/actions/action-run.ts';
import { getAction } from '../../domain/actions/action-store.ts';
import type { AuthContext } from '../env.ts';
import { bearerRoutes, jsonBody, jsonResponse } from '../openapi-route.ts';
import { idempotencyHeader, newRouter } from '../router.ts';
import { ActionRunDto, RunActionBody, RunActionParams } from '../schemas/actions.ts';

// POST /chat/sessions/{session_id}/actions/{action_id}/run: an agent (or an admin, or an API key) runs an action in
// a session. Behind the /chat/* rules (admin and agent keys, Idempotency-Key: app.ts); the action's run_by decides
// the rest. A failed request (non-2xx, timeout, refused address) is a 200 with ok false and the error: it is the
// action's outcome, recorded in the history, not a failure of this API.

const route = bearerRoutes(['Actions']);

const run = route({
  method: 'post',
  path: '/chat/sessions/{session_id}/actions/{action_id}/run',
  operationId: 'runAction',
  summary: 'Run an action in a session',
  description:
    'Validates the parameters against the action’s schema (400), checks `run_by` has the caller’s role (403), then ' +
    'records `action_called`, makes the request and records `action_completed` in the session’s history (webhook ' +
    'events `action.called` and `action.completed`).',
  request: { params: RunActionParams, headers: idempotencyHeader, body: jsonBody(RunActionBody) },
  responses: { 200: jsonResponse(ActionRunDto, 'The outcome, success or not') },
});

/** An agent's key or sign-in acts as that agent; an admin key without an agent acts as the API. */
function runAs(auth: AuthContext): RunAs {
  const runner = auth.role === 'admin' ? 'admin' : 'agent';
  return { runner, caller: auth.agentId ? { type: 'human_agent', agentId: auth.agentId } : { type: 'api_key' } };
}

export function actionRunRoutes(deps: Deps) {
  const app = newRouter();
  app.openapi(run, async (c) => {
    const auth = c.get('auth');
    const { session_id, action_id } = c.req.valid('param');
    const action = await getAction(deps, auth.orgId, action_id);
    const done = await runAction(deps, auth.orgId, session_id, action, c.req.valid('json').parameters ?? {}, runAs(auth));
    const { callId, ok, status, body, error, durationMs } = done;
    return c.json({ call_id: callId, action_id, ok, status, result: body, error, duration_ms: durationMs }, 200);
  });
  return app;
}
