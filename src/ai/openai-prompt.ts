import { knowledgeIndex, searchKnowledge } from './knowledge-index.ts';
import type { ChatMessage, ChatTool } from './openai-wire.ts';
import type { KnowledgeArticle, ResponderInput, TurnMessage } from './responder.ts';
import { clip } from './text.ts';

// What the model sees: a system prompt with instructions and the organization's knowledge, then the conversation.
// Everything is bounded so a long session or a large knowledge base cannot blow the model's context window (and
// the bill): the most relevant articles first (MiniSearch over the customer's recent messages), then the rest
// while room is left; the most recent messages, oldest first.

const KNOWLEDGE_BUDGET = 12_000;
const ARTICLE_MAX = 4_000;
const HISTORY_MESSAGES = 40;
const HISTORY_BUDGET = 16_000;

/** Reasons the model may give; `forbidden_topic` maps to Open's ai_is_forbidden_from_handling_this_topic. */
export const HANDOFF_REASONS = ['customer_requested_human', 'not_covered_by_knowledge', 'needs_account_action', 'customer_upset', 'forbidden_topic', 'other'] as const;

export const HANDOFF_TOOL: ChatTool = {
  type: 'function',
  function: {
    name: 'handoff',
    description:
      'Hand the conversation to a human support agent. Use it when the knowledge does not answer the question, when the customer asks for a person, is upset, or needs something done on their account or order that you cannot do.',
    parameters: {
      type: 'object',
      properties: {
        reason: { type: 'string', enum: [...HANDOFF_REASONS], description: 'Why a human should take over.' },
        summary: { type: 'string', description: 'One or two sentences for the agent: what the customer needs and what was already tried.' },
      },
      required: ['reason', 'summary'],
    },
  },
};

export interface KnowledgeContext {
  articles: KnowledgeArticle[];
  /** Articles retrieval found relevant: the reply's likely sources. */
  matched: string[];
}

export function selectKnowledge(input: Pick<ResponderInput, 'history' | 'pending' | 'knowledge'>): KnowledgeContext {
  if (!input.knowledge.length) return { articles: [], matched: [] };
  // This turn's messages plus the two before, so a follow-up ("and to Canada?") still finds its article.
  const recent = input.history.filter((m) => m.sender === 'contact').slice(-input.pending.length - 2);
  const query = [...new Set([...recent, ...input.pending].map((m) => m.text))].join('\n');
  const matched = [...new Set(searchKnowledge(knowledgeIndex(input.knowledge), query, 10).map((h) => h.passage.articleId))];
  const byId = new Map(input.knowledge.map((a) => [a.id, a]));
  const ordered = [...matched.map((id) => byId.get(id)!), ...input.knowledge.filter((a) => !matched.includes(a.id))];
  const articles: KnowledgeArticle[] = [];
  let used = 0;
  for (const a of ordered) {
    const body = clip(a.body, ARTICLE_MAX);
    if (used + body.length > KNOWLEDGE_BUDGET) continue;
    articles.push({ ...a, body });
    used += body.length;
  }
  return { articles, matched: matched.filter((id) => articles.some((a) => a.id === id)) };
}

/** `extraRules`: more lines for the rules (the actions' rules, when the model has action tools: action-tools.ts). */
export function systemPrompt(input: Pick<ResponderInput, 'session'>, knowledge: KnowledgeArticle[], extraRules: readonly string[] = []): string {
  const { contactName, language } = input.session;
  const lines = [
    "You are the customer support assistant of this organization, talking to a customer on the organization's support channels.",
    '',
    'Rules:',
    '- Answer only from the knowledge articles below. Never invent policies, prices, dates, links or order details.',
    '- If the articles do not answer the question, if the customer asks for a person, is upset, or needs something done on their account or order, call the `handoff` tool instead of replying.',
    "- Reply in the customer's language, briefly (a few sentences), in plain text suited to chat, email and SMS.",
    '- Messages that start with [human agent] were written by a human colleague: stay consistent with them.',
    ...extraRules,
  ];
  if (contactName) lines.push('', `The customer's name: ${contactName}.`);
  if (language) lines.push(`The customer's language: ${language}.`);
  lines.push('', 'Knowledge articles:');
  if (!knowledge.length) lines.push('(none: hand off any question that needs facts about the organization)');
  for (const a of knowledge) {
    lines.push(`<article id="${a.id}" title="${a.title.replace(/"/g, "'")}"${a.tags.length ? ` tags="${a.tags.join(', ')}"` : ''}>`, a.body, '</article>');
  }
  return lines.join('\n');
}

/** The conversation as chat messages: contact → user, ai → assistant, agent → assistant marked [human agent]. */
export function conversationMessages(input: Pick<ResponderInput, 'history' | 'pending'>): ChatMessage[] {
  const history = [...input.history];
  // The turn worker's history ends with the pending messages; if a caller passed them separately, add them.
  const seen = new Set(history.map(key));
  for (const m of input.pending) if (!seen.has(key(m))) history.push(m);

  const out: ChatMessage[] = [];
  let used = 0;
  for (const m of history.slice(-HISTORY_MESSAGES).reverse()) {
    const message = asChatMessage(m);
    if (!message) continue;
    if (used + message.content.length > HISTORY_BUDGET && out.length) break;
    out.push(message);
    used += message.content.length;
  }
  return mergeRuns(out.reverse());
}

/**
 * Consecutive messages of one role become one (a burst of three customer messages is one user turn): several
 * chat templates served by llama.cpp and vLLM (Mistral's, Llama 2's) reject roles that do not alternate.
 */
function mergeRuns(messages: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const last = out.at(-1);
    if (last && last.role === m.role) last.content = `${last.content}\n\n${m.content}`;
    else out.push({ ...m });
  }
  return out;
}

function asChatMessage(m: TurnMessage): ChatMessage | null {
  const text = m.text.trim();
  if (!text) return null;
  if (m.sender === 'contact') return { role: 'user', content: text };
  if (m.sender === 'ai') return { role: 'assistant', content: text };
  if (m.sender === 'agent') return { role: 'assistant', content: `[human agent] ${text}` };
  return null; // system notices (queue position, status) are the platform talking, not the conversation
}

const key = (m: TurnMessage) => `${m.sender}|${m.at.getTime()}|${m.text}`;
