import { randomUUID } from 'node:crypto';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { Db } from '../../db/client.ts';
import type { ActionRunner } from '../../db/schema/index.ts';
import { ForbiddenError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { GuardedFetch } from '../../net/guarded-fetch.ts';
import { type ActionResult, callAction, secretValues } from './action-call.ts';
import { type ActionCaller, type CallRecord, recordCalled, recordCompleted } from './action-history.ts';
import { validateParameters } from './action-parameters.ts';
import { buildRequest } from './action-request.ts';
import { type ActionRow, openHeaders } from './action-store.ts';

// Running an action in a session, whoever asks (an agent through the run endpoint, the AI through its tool call):
// may this caller run it, are the parameters valid (a 400 before anything is recorded or sent), then the call
// entry, the request through the outbound guard, and the result entry. Logs carry ids, the status and the time,
// never the URL (it may hold parameters), the parameters or the headers.

export interface RunDeps {
  db: Db;
  secrets: SecretBox;
  logger: Logger;
  outbound: { fetch: GuardedFetch };
}

export interface ActionRun extends ActionResult {
  callId: string;
}

/** The run_by entry a caller needs: the AI's own, else the role of the key or console sign-in. */
export type RunAs = { runner: Exclude<ActionRunner, 'ai'>; caller: ActionCaller } | { runner: 'ai'; caller: { type: 'ai' }; turnKey?: string | undefined };

export async function runAction(
  deps: RunDeps,
  orgId: string,
  sessionId: string,
  action: ActionRow,
  given: unknown,
  as: RunAs,
  signal?: AbortSignal,
): Promise<ActionRun> {
  if (!action.runBy.includes(as.runner)) {
    throw new ForbiddenError(`The action ${action.name} may not be run by ${as.runner === 'ai' ? 'the AI' : `an ${as.runner}`}`);
  }
  const parameters = validateParameters(action.parameters, given);
  const headers = openHeaders(deps.secrets, action);
  const request = buildRequest(action, parameters, headers);
  const turnKey = as.runner === 'ai' ? as.turnKey : undefined;
  const call: CallRecord = { callId: randomUUID(), action: { id: action.id, name: action.name }, caller: as.caller, parameters, turnKey };
  await recordCalled(deps.db, orgId, sessionId, call);
  let result: ActionResult;
  try {
    result = await callAction(deps.outbound.fetch, request, { secrets: secretValues(headers), ...(signal ? { signal } : {}) });
  } catch (err) {
    // Only the caller's own abort (a worker shutting down) lands here: the history still says how it ended.
    await recordCompleted(deps.db, orgId, sessionId, call, { ok: false, status: null, body: null, error: 'cancelled', durationMs: 0 });
    throw err;
  }
  await recordCompleted(deps.db, orgId, sessionId, call, result);
  const log = { orgId, sessionId, actionId: action.id, callId: call.callId, status: result.status, ok: result.ok, durationMs: result.durationMs };
  deps.logger.info(log, result.ok ? 'action completed' : 'action failed');
  return { callId: call.callId, ...result };
}
