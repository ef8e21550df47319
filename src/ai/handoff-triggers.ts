import type { Sentiment } from '../domain/model/enums.ts';
import { asksForHuman } from './human-request.ts';
import type { AiSettings, HandoffReason, ResponderInput, ResponderOutput } from './responder.ts';
import { sentimentOf } from './sentiment.ts';
import { summarizeConversation } from './summarizer.ts';

// The reasons to give the conversation to a person that do not depend on what the AI would answer. Every responder
// checks them before answering, in this order: a routing rule (the organization decided in advance), the customer
// asking for a person, repeated failure, anger. Low confidence is the responder's own check, after it has tried.

export type Handoff = Extract<ResponderOutput, { type: 'handoff' }>;

const PRIORITY_RANK = { low: 0, normal: 1, high: 2, urgent: 3 } as const;

export function checkHandoffTriggers(input: ResponderInput, settings: AiSettings): Handoff | null {
  const rule = settings.handoff.custom_data_rules.find((r) => ruleMatches(r, input.session));
  if (rule) return handoffOutput(input, `routing rule matched: ${JSON.stringify(rule)}`);

  const pendingText = input.pending.map((m) => m.text);
  const lang = pendingText.map(asksForHuman).find((l) => l !== null);
  if (lang) return handoffOutput(input, `the customer asked for a person (${lang})`);

  // max_failed_attempts ≤ 0 would hand off every turn: read it as "off".
  const max = settings.handoff.max_failed_attempts;
  if (max > 0 && input.failedAttempts >= max) {
    return handoffOutput(input, `repeated failure: ${input.failedAttempts} AI replies in a row did not help`);
  }

  // The mood of this turn's messages, not the whole history: a customer who was angry and calmed down stays with the AI.
  if (settings.handoff.on_negative_sentiment) {
    const mood = sentimentOf(pendingText, input.session.language);
    if (mood === 'angry') return handoffOutput(input, 'negative sentiment: the customer is upset', { sentiment: mood });
  }
  return null;
}

/**
 * A rule matches when every key equals the session's custom_data (compared as text, case-insensitively: custom_data
 * from channels is often all strings, "true" vs true). The key `priority` also matches the session's own priority
 * as a minimum, so { priority: 'high' } catches urgent sessions too. An empty rule matches nothing.
 */
export function ruleMatches(rule: Record<string, string | number | boolean>, session: ResponderInput['session']): boolean {
  const entries = Object.entries(rule);
  if (!entries.length) return false;
  return entries.every(([key, want]) => {
    const have = session.customData[key];
    if (have !== undefined && same(have, want)) return true;
    if (key !== 'priority') return false;
    const wanted = PRIORITY_RANK[String(want).toLowerCase() as keyof typeof PRIORITY_RANK];
    return wanted !== undefined && PRIORITY_RANK[session.priority] >= wanted;
  });
}

function same(a: string | number | boolean, b: string | number | boolean): boolean {
  return String(a).trim().toLowerCase() === String(b).trim().toLowerCase();
}

/**
 * A handoff with what the agent needs to pick up: an extractive summary of the conversation and the customer's
 * sentiment (this turn's when it is clear, else the conversation's).
 */
export function handoffOutput(
  input: Pick<ResponderInput, 'session' | 'history' | 'knowledge' | 'pending'>,
  why: string,
  opts: { reason?: HandoffReason; summary?: string; sentiment?: Sentiment } = {},
): Handoff {
  const extractive = summarizeConversation(input);
  const now = sentimentOf(
    input.pending.map((m) => m.text),
    input.session.language,
  );
  return {
    type: 'handoff',
    reason: opts.reason ?? 'ai_decided_to_handoff_the_conversation',
    why,
    summary: opts.summary?.trim() || extractive.summary || why,
    sentiment: opts.sentiment ?? (now !== 'neutral' ? now : (extractive.sentiment ?? now)),
  };
}
