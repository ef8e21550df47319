import type { Sentiment } from '../domain/model/enums.ts';

// The one small interface every AI responder implements (issue: workers). The turn worker gathers the session's
// context, asks the organization's responder, and acts on the answer: a reply to dispatch, or a handoff.

export interface TurnMessage {
  sender: 'contact' | 'ai' | 'agent' | 'system';
  text: string;
  at: Date;
}

export interface KnowledgeArticle {
  id: string;
  title: string;
  body: string;
  tags: string[];
}

export interface ResponderInput {
  orgId: string;
  session: {
    id: string;
    customData: Record<string, string | number | boolean>;
    priority: 'low' | 'normal' | 'high' | 'urgent';
    language: string | null;
    contactName: string | null;
  };
  /** The whole conversation so far, oldest first, including `pending`. */
  history: TurnMessage[];
  /** The customer's messages this turn answers (a burst is answered once). */
  pending: TurnMessage[];
  knowledge: readonly KnowledgeArticle[];
  /** How many AI replies in a row the customer has not been satisfied with (for "repeated failure"). */
  failedAttempts: number;
  /**
   * Names this turn across its retries (the first pending message's id: it stays pending until the turn commits),
   * so an action the model calls again after a crash is not run twice (src/domain/actions/ai-toolbox.ts).
   */
  turnKey?: string | undefined;
}

/** Open's handoff reasons (the OpenAPI document, /openapi.json), plus why in words for the history. */
export type HandoffReason =
  | 'ai_decided_to_handoff_the_conversation'
  | 'ai_is_forbidden_from_handling_this_topic'
  | 'ai_decided_to_handoff_because_the_user_left';

export type ResponderOutput =
  | { type: 'reply'; text: string; confidence: number; sources: string[]; sentiment?: Sentiment | null }
  | { type: 'handoff'; reason: HandoffReason; why: string; summary: string; sentiment: Sentiment | null }
  /** The customer confirmed their issue is solved: close as resolved by the AI. */
  | { type: 'resolved'; text: string };

export interface SessionSummary {
  summary: string;
  sentiment: Sentiment | null;
  topics: string[];
}

export interface Responder {
  respond(input: ResponderInput, signal: AbortSignal): Promise<ResponderOutput>;
  summarize(input: Omit<ResponderInput, 'pending' | 'failedAttempts'>, signal: AbortSignal): Promise<SessionSummary>;
}

/** Per-organization AI settings (GET/PATCH /settings/ai), stored in organizations.settings.ai. */
export interface AiSettings {
  responder: 'knowledge' | 'openai';
  /** openai: any OpenAI-compatible chat-completions endpoint. */
  base_url?: string;
  model?: string;
  /** Sealed with the SecretBox when stored; never returned. */
  api_key?: string;
  timeout_ms: number;
  /** Below this, the knowledge responder hands off instead of guessing (0..1). */
  confidence_threshold: number;
  handoff: {
    /** custom_data equality rules that send a session straight to a human, e.g. { priority: 'high' }. */
    custom_data_rules: Array<Record<string, string | number | boolean>>;
    /** Hand off when the conversation's sentiment is angry. */
    on_negative_sentiment: boolean;
    /** Hand off after this many AI replies in a row that did not satisfy. */
    max_failed_attempts: number;
  };
  /** What the customer is told once when every agent is busy. */
  queue_message: string;
  /** Tags the AI puts on a session whose custom_data has every pair of `when`, e.g. { tag: 'vip', when: { plan: 'enterprise' } }. */
  tag_rules: Array<{ tag: string; when: Record<string, string | number | boolean> }>;
  /** Summarize every close, even one made with Open's generate_summary_and_sentiment_on_resolve: false. */
  always_summarize: boolean;
}

export const DEFAULT_AI_SETTINGS: AiSettings = {
  responder: 'knowledge',
  timeout_ms: 15_000,
  confidence_threshold: 0.35,
  handoff: { custom_data_rules: [], on_negative_sentiment: true, max_failed_attempts: 2 },
  queue_message: 'All our agents are busy right now. You are in the queue and someone will be with you shortly.',
  tag_rules: [],
  always_summarize: false,
};
