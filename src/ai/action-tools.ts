import type { ChatReply, ChatTool, WireMessage } from './openai-wire.ts';
import { clip } from './text.ts';

// The organization's system actions as the model's tools, in OpenAI's chat-completions tool-calling format
// (https://platform.openai.com/docs/guides/function-calling): each action is a `function` tool named by the
// action, described by its description, with its JSON Schema as `parameters`. When the model answers with
// `tool_calls`, each call is run (src/domain/actions/ai-toolbox.ts: validated, through the outbound guard,
// recorded in the history) and its result goes back as a `tool` message with the call's id; the model then answers
// the customer, or calls again, at most MAX_TOOL_ROUNDS times.

export interface AiAction {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ToolOutcome {
  ok: boolean;
  /** What the model reads as the tool's result (JSON text). */
  content: string;
  /** In words, when it failed: for the history of a handoff. */
  error?: string | undefined;
}

/** What the responder may do with actions; the workers build it (ai-toolbox.ts), tests may pass their own. */
export interface ActionToolbox {
  /** The actions the AI may call for this organization. */
  list(orgId: string): Promise<AiAction[]>;
  /** `turnKey` (ResponderInput.turnKey): the same call in a retry of the same turn returns the first run's outcome. */
  run(orgId: string, sessionId: string, name: string, args: string, signal: AbortSignal, turnKey?: string): Promise<ToolOutcome>;
}

/** Rounds of tool calls in one turn before the model must answer (a guard against a model that loops). */
export const MAX_TOOL_ROUNDS = 3;
/** Calls run from one model answer; more are answered with an error. */
const MAX_CALLS_PER_ROUND = 5;
/** The most of a result the model reads. */
export const TOOL_RESULT_CHARS = 4_000;

export const toolOf = (a: AiAction): ChatTool => ({
  type: 'function',
  function: { name: a.name, description: a.description || a.name, parameters: a.parameters },
});

export interface ToolRound {
  /** The assistant's tool-call turn and one `tool` message per call, to append to the request. */
  messages: WireMessage[];
  /** Failed calls, in words ("lookup_order: HTTP 500"). */
  failures: string[];
}

/** Runs the reply's calls of known actions, in order; every call gets a `tool` message, as the API requires. */
export async function runToolRound(
  toolbox: ActionToolbox,
  known: ReadonlySet<string>,
  at: { orgId: string; sessionId: string; turnKey?: string | undefined },
  reply: ChatReply,
  signal: AbortSignal,
): Promise<ToolRound> {
  const messages: WireMessage[] = [{ role: 'assistant', content: reply.content, tool_calls: reply.toolCalls }];
  const failures: string[] = [];
  for (const [i, call] of reply.toolCalls.entries()) {
    const name = call.function.name;
    let outcome: ToolOutcome;
    if (!known.has(name)) outcome = { ok: false, content: JSON.stringify({ error: `There is no tool named ${name}.` }), error: 'unknown tool' };
    else if (i >= MAX_CALLS_PER_ROUND) outcome = { ok: false, content: JSON.stringify({ error: 'Too many calls at once.' }), error: 'too many calls' };
    else outcome = await toolbox.run(at.orgId, at.sessionId, name, call.function.arguments, signal, at.turnKey);
    if (!outcome.ok) failures.push(`${name}: ${outcome.error ?? 'failed'}`);
    messages.push({ role: 'tool', tool_call_id: call.id, content: clip(outcome.content, TOOL_RESULT_CHARS) });
  }
  return { messages, failures };
}

/** The prompt's rules for actions, when there are any. */
export const ACTION_RULES = [
  '- Besides `handoff` you have tools that act in the organization’s systems (look up an order, change a booking…). Call one when the customer needs what it does; ask the customer for any value you do not have, never invent one.',
  '- If a tool fails, tell the customer plainly that you could not do it, or call `handoff`. Never claim an action succeeded unless its result says so.',
];

/** The longest one action call may take (src/domain/actions/action-call.ts keeps to it). */
export const ACTION_CALL_MS = 10_000;

/**
 * How long a whole turn may take: a model that calls actions makes several model calls and requests in one turn,
 * each with its own limit, and the turn's budget covers them all.
 */
export const turnBudgetMs = (settings: { responder: string; timeout_ms: number }): number =>
  settings.timeout_ms + (settings.responder === 'openai' ? MAX_TOOL_ROUNDS * (settings.timeout_ms + ACTION_CALL_MS) : 0);
