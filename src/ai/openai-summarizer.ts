import { z } from 'zod';
import { SENTIMENTS, type Sentiment } from '../domain/model/enums.ts';
import type { ChatReply, ChatRequest } from './openai-wire.ts';
import type { Responder, SessionSummary } from './responder.ts';
import { summarizeConversation } from './summarizer.ts';
import { clip } from './text.ts';

// A session's summary written by the organization's model: one chat-completions call in JSON mode
// (response_format json_object), validated; on any failure the extractive summary, so a closed session always has one.

const SUMMARY_PROMPT = [
  'Summarize this customer support conversation for the support team.',
  'Answer with a JSON object only: {"summary": string, "sentiment": "angry" | "neutral" | "happy", "topics": string[]}.',
  "summary: two or three sentences in English: what the customer needed and how it ended. sentiment: the customer's mood at the end. topics: up to five short keywords.",
].join('\n');

// Models paraphrase enums; map the common variants to Open's and drop what cannot be mapped.
const SENTIMENT_ALIASES: Record<string, Sentiment> = { negative: 'angry', frustrated: 'angry', upset: 'angry', positive: 'happy', satisfied: 'happy' };
const summarySchema = z.object({
  summary: z.string().trim().min(1),
  sentiment: z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .transform((s) => ((SENTIMENTS as readonly string[]).includes(s) ? (s as Sentiment) : (SENTIMENT_ALIASES[s] ?? null)))
    .nullish(),
  topics: z.array(z.string()).optional(),
});

export async function summarizeWithModel(
  input: Parameters<Responder['summarize']>[0],
  model: string,
  call: (body: ChatRequest, signal: AbortSignal) => Promise<ChatReply>,
  signal: AbortSignal,
): Promise<SessionSummary> {
  const fallback = () => summarizeConversation(input);
  const transcript = input.history
    .filter((m) => m.sender !== 'system' && m.text.trim())
    .map((m) => `${{ contact: 'Customer', ai: 'AI assistant', agent: 'Human agent', system: 'System' }[m.sender]}: ${m.text.trim()}`)
    .join('\n')
    .slice(-30_000);
  if (!transcript) return fallback();
  try {
    const reply = await call(
      {
        model,
        messages: [
          { role: 'system', content: SUMMARY_PROMPT },
          { role: 'user', content: transcript },
        ],
        response_format: { type: 'json_object' },
      },
      signal,
    );
    const parsed = summarySchema.parse(JSON.parse(reply.content ?? ''));
    const topics = (parsed.topics ?? []).map((t) => clip(t, 60)).filter(Boolean).slice(0, 8);
    return { summary: clip(parsed.summary, 2000), sentiment: parsed.sentiment ?? fallback().sentiment, topics };
  } catch {
    // Any failure (endpoint, JSON, shape) falls back; only the caller's own abort propagates.
    if (signal.aborted) throw signal.reason;
    return fallback();
  }
}
