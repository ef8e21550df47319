import type { Db } from '../../db/client.ts';
import { logEvent, lockSession } from '../sessions/session-commands.ts';
import { writeHistory } from '../sessions/message-writer.ts';
import type { ActionResult } from './action-call.ts';

// A call and its result are two entries of the session's history (`action_called`, `action_completed`: system
// events, shown with the messages, never sent to the customer) and two events (`action.called`,
// `action.completed`, delivered to webhook endpoints like every other event type). Each is its own short
// transaction on the session's row lock, so the entries keep their order with the conversation's; the request
// itself is made between them, holding nothing.

/** Who ran it: an agent (console or agent key), an admin key that is no agent, or the AI during its turn. */
export type ActionCaller = { type: 'human_agent'; agentId: string } | { type: 'api_key' } | { type: 'ai' };

export interface CallRecord {
  callId: string;
  action: { id: string; name: string };
  caller: ActionCaller;
  parameters: Record<string, unknown>;
  /** The AI's turn it ran in (ResponderInput.turnKey): what a retried turn finds it by (earlierRun). */
  turnKey?: string | undefined;
}

const BY = { human_agent: 'by an agent', api_key: 'with an API key', ai: 'by the AI' } as const;

const calledBy = (c: ActionCaller) => (c.type === 'human_agent' ? { type: c.type, agent_id: c.agentId } : { type: c.type });

async function record(db: Db, orgId: string, sessionId: string, call: CallRecord, kind: 'called' | 'completed', text: string, extra: Record<string, unknown>) {
  const turn = call.turnKey ? { turn_key: call.turnKey } : {};
  const shared = { call_id: call.callId, action: call.action, called_by: calledBy(call.caller), ...turn, ...extra };
  await db.transaction(async (tx) => {
    const s = await lockSession(tx, orgId, sessionId);
    const agentId = call.caller.type === 'human_agent' ? call.caller.agentId : null;
    await writeHistory(tx, s, { eventType: `action_${kind}`, sender: 'system', text, agentId, context: shared });
    await logEvent(tx, s, `action.${kind}`, shared);
  });
}

/** Before the request: the session must be the caller's (a 404 otherwise, and nothing is sent). */
export function recordCalled(db: Db, orgId: string, sessionId: string, call: CallRecord): Promise<void> {
  const text = `Action ${call.action.name} called ${BY[call.caller.type]}`;
  return record(db, orgId, sessionId, call, 'called', text, { parameters: call.parameters });
}

export function recordCompleted(db: Db, orgId: string, sessionId: string, call: CallRecord, result: ActionResult): Promise<void> {
  const text = result.ok
    ? `Action ${call.action.name} succeeded (HTTP ${result.status})`
    : `Action ${call.action.name} failed: ${result.error ?? 'unknown error'}`;
  return record(db, orgId, sessionId, call, 'completed', text, resultView(result));
}

/** How a result is shown (history context, webhook data, the run endpoint's answer). */
export function resultView(r: ActionResult) {
  return { ok: r.ok, status: r.status, result: r.body, error: r.error, duration_ms: r.durationMs };
}
