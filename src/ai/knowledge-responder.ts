import { checkHandoffTriggers, handoffOutput } from './handoff-triggers.ts';
import { knowledgeIndex, knowsWord, searchKnowledge, type Hit, type KnowledgeIndex } from './knowledge-index.ts';
import { guessLanguage, isBroadStopword, type Language } from './language.ts';
import type { AiSettings, Responder, ResponderInput, ResponderOutput } from './responder.ts';
import { sentimentOf } from './sentiment.ts';
import { classifySmallTalk, smallTalkReply } from './small-talk.ts';
import { summarizeConversation } from './summarizer.ts';
import { sentences, words } from './text.ts';

// The embedded default responder: needs nothing outside the process. It answers by quoting the passage of the
// organization's knowledge that best matches the customer's question, with the retrieval's confidence (see
// knowledge-index.ts); below settings.confidence_threshold it hands off instead of guessing.

export function createKnowledgeResponder(settings: AiSettings): Responder {
  return {
    async respond(input, signal) {
      signal.throwIfAborted();
      return respond(input, settings);
    },
    async summarize(input, signal) {
      signal.throwIfAborted();
      return summarizeConversation(input);
    },
  };
}

function respond(input: ResponderInput, settings: AiSettings): ResponderOutput {
  const triggered = checkHandoffTriggers(input, settings);
  if (triggered) return triggered;

  const texts = input.pending.map((m) => m.text).filter((t) => t.trim());
  const language = guessLanguage(texts.join('\n'), input.session.language);
  const sentiment = sentimentOf(texts, input.session.language);
  const reply = (text: string, confidence = 1, sources: string[] = []): ResponderOutput => ({ type: 'reply', text, confidence, sources, sentiment });

  // A burst made only of greetings, thanks or "that solved it" is answered in kind, not searched for.
  const afterAiReply = input.history.some((m) => m.sender === 'ai');
  const kinds = texts.map((t) => classifySmallTalk(t, { afterAiReply }));
  if (kinds.length && kinds.every((k) => k !== null)) {
    if (kinds.includes('resolved')) return { type: 'resolved', text: smallTalkReply('resolved', language) };
    return reply(smallTalkReply(kinds.includes('thanks') ? 'thanks' : 'greeting', language));
  }

  // Each sentence is also searched alone, so "Hi! Quick question. How long does shipping take?" is judged on the
  // sentence that asks; the burst as a whole covers questions spread over several messages.
  const index = knowledgeIndex(input.knowledge);
  const queries = [...new Set([...texts.flatMap(sentences), texts.join('\n')])].filter((q) => hasContent(q, language, index));
  if (!queries.length) return reply(smallTalkReply('clarify', language));
  if (!input.knowledge.length) return handoffOutput(input, 'low confidence: the organization has no knowledge articles');

  const hits = queries.flatMap((q) => searchKnowledge(index, q, 3)).sort((a, b) => b.confidence - a.confidence || b.score - a.score);
  // Saying the same thing again does not help a customer who asked again: take the next passage, or hand off.
  const lastAi = input.history.findLast((m) => m.sender === 'ai')?.text.trim();
  const best: Hit | undefined = hits.find((h) => h.passage.text.trim() !== lastAi);
  if (!best) {
    const why = hits.length ? 'low confidence: the only matching passage was already sent' : 'low confidence: nothing in the knowledge matches';
    return handoffOutput(input, why);
  }
  if (best.confidence < settings.confidence_threshold) {
    return handoffOutput(input, `low confidence: ${best.confidence.toFixed(2)} < ${settings.confidence_threshold} (best: ${best.passage.title})`);
  }
  return reply(best.passage.text, round(best.confidence), [best.passage.articleId]);
}

/**
 * A question has at least one word that is not filler: "hi, I need help please" has none and gets a request to
 * say more. A broad stopword the knowledge uses ("order" in a shop's FAQ) is content.
 */
function hasContent(text: string, language: Language, index: KnowledgeIndex): boolean {
  return words(text).some((w) => w.length > 1 && !/^\d+$/.test(w) && (!isBroadStopword(w, language) || knowsWord(index, w)));
}

const round = (n: number) => Math.round(n * 100) / 100;
