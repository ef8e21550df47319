import { ACTION_RULES, type ActionToolbox, MAX_TOOL_ROUNDS, runToolRound, toolOf } from './action-tools.ts';
import { checkHandoffTriggers, handoffOutput } from './handoff-triggers.ts';
import { conversationMessages, HANDOFF_TOOL, selectKnowledge, systemPrompt } from './openai-prompt.ts';
import { type ChatReply, type ChatRequest, ChatCompletionError, chatCompletion, type ModelFetch } from './openai-wire.ts';
import { summarizeWithModel } from './openai-summarizer.ts';
import type { AiSettings, HandoffReason, Responder, ResponderInput, ResponderOutput } from './responder.ts';
import { sentimentOf } from './sentiment.ts';
import { classifySmallTalk, smallTalkReply } from './small-talk.ts';
import { guessLanguage } from './language.ts';
import { clip } from './text.ts';

// The responder for an OpenAI-compatible chat-completions endpoint. The handoff triggers run first (a customer who
// asks for a person gets one without a model call); the model answers from the knowledge in its system prompt or
// calls the `handoff` tool. Any failure of the endpoint (timeout, non-2xx, malformed or empty answer) hands off and
// says why: the customer is never left in silence. The organization's system actions are offered as tools
// (action-tools.ts); a failed one is the model's to explain, and a turn that ends without text after one hands off
// naming it. summarize() asks the model for JSON and falls back to the extractive summarizer on any failure
// (openai-summarizer.ts).

/** A model reply carries no calibrated confidence (logprobs are not offered by every server): a fixed, honest 0.8. */
export const MODEL_REPLY_CONFIDENCE = 0.8;

export type OpenAiSettings = AiSettings & { base_url: string; model: string };

export interface OpenAiDeps {
  fetch: ModelFetch;
  /** The organization's actions as tools; without it the model has only `handoff`. */
  actions?: ActionToolbox | undefined;
}

type Call = (body: ChatRequest, signal: AbortSignal) => Promise<ChatReply>;

export function createOpenAiResponder(settings: OpenAiSettings, deps: OpenAiDeps): Responder {
  const call: Call = (body, signal) => chatCompletion(settings, body, deps.fetch, signal);
  return {
    respond: (input, signal) => respond(input, settings, call, deps.actions, signal),
    summarize: (input, signal) => summarizeWithModel(input, settings.model, call, signal),
  };
}

async function respond(
  input: ResponderInput,
  settings: OpenAiSettings,
  call: Call,
  toolbox: ActionToolbox | undefined,
  signal: AbortSignal,
): Promise<ResponderOutput> {
  signal.throwIfAborted();
  const triggered = checkHandoffTriggers(input, settings);
  if (triggered) return triggered;
  const texts = input.pending.map((m) => m.text);
  // "Thanks, that solved it" closes the session the same way whichever responder the organization uses.
  const afterAiReply = input.history.some((m) => m.sender === 'ai');
  if (texts.length && texts.every((t) => classifySmallTalk(t, { afterAiReply }) === 'resolved')) {
    return { type: 'resolved', text: smallTalkReply('resolved', guessLanguage(texts.join('\n'), input.session.language)) };
  }

  const knowledge = selectKnowledge(input);
  const actions = toolbox ? await toolbox.list(input.orgId) : [];
  const known = new Set(actions.map((a) => a.name));
  const body: ChatRequest = {
    model: settings.model,
    messages: [{ role: 'system', content: systemPrompt(input, knowledge.articles, actions.length ? ACTION_RULES : []) }, ...conversationMessages(input)],
    tools: [HANDOFF_TOOL, ...actions.map(toolOf)],
    tool_choice: 'auto',
  };
  const failures: string[] = [];
  let reply: ChatReply;
  for (let round = 0; ; round++) {
    try {
      reply = await call(body, signal);
    } catch (err) {
      if (err instanceof ChatCompletionError) return handoffOutput(input, `AI endpoint failed (${err.kind}): ${err.message}`);
      throw err;
    }
    const handoff = reply.toolCalls.find((c) => c.function.name === 'handoff');
    if (handoff) {
      const args = parseArguments(handoff.function.arguments);
      return handoffOutput(input, `the model handed off: ${args.reason ?? 'no reason given'}${failedActions(failures)}`, {
        reason: openReason(args.reason),
        ...(args.summary ? { summary: args.summary } : {}),
      });
    }
    // Calls only to tools it was never given are a confused model: answered below as before, without a round.
    if (!toolbox || round >= MAX_TOOL_ROUNDS || !reply.toolCalls.some((c) => known.has(c.function.name))) break;
    const ran = await runToolRound(toolbox, known, { orgId: input.orgId, sessionId: input.session.id, turnKey: input.turnKey }, reply, signal);
    body.messages.push(...ran.messages);
    failures.push(...ran.failures);
  }
  const text = reply.content?.trim();
  if (!text) {
    const other = reply.toolCalls.map((c) => c.function.name).join(', ');
    if (failures.length) return handoffOutput(input, `the AI could not complete an action${failedActions(failures)}`);
    return handoffOutput(input, `AI endpoint failed (empty): no reply text${other ? ` (called unknown tool ${other})` : ''}`);
  }
  return { type: 'reply', text, confidence: MODEL_REPLY_CONFIDENCE, sources: knowledge.matched, sentiment: sentimentOf(texts, input.session.language) };
}

const failedActions = (failures: string[]) => (failures.length ? ` (failed: ${clip(failures.join('; '), 300)})` : '');

function parseArguments(raw: string): { reason?: string; summary?: string } {
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    return {
      ...(typeof v.reason === 'string' && v.reason ? { reason: clip(v.reason, 200) } : {}),
      ...(typeof v.summary === 'string' && v.summary.trim() ? { summary: clip(v.summary, 1000) } : {}),
    };
  } catch {
    return {}; // a handoff with unreadable arguments is still a handoff
  }
}

function openReason(reason: string | undefined): HandoffReason {
  return reason === 'forbidden_topic' ? 'ai_is_forbidden_from_handling_this_topic' : 'ai_decided_to_handoff_the_conversation';
}
