import { docFrequency, knowledgeIndex } from './knowledge-index.ts';
import { guessLanguage, isBroadStopword, isLightStopword, stem, type Language } from './language.ts';
import type { ResponderInput, SessionSummary } from './responder.ts';
import { sentimentOf } from './sentiment.ts';
import { classifySmallTalk } from './small-talk.ts';
import { sentences, words } from './text.ts';

// Extractive summary for the embedded responder: the customer's own 1-3 most informative sentences, the conversation's
// keywords, and its sentiment. "Informative" is TF-IDF: a term weighs its count in the customer's messages times
// its inverse document frequency over the organization's knowledge passages, so words every article uses (the
// product's name, "please contact us") weigh little and the specific subject ("refund", "invoice") weighs most.
// Without knowledge, IDF is 1 and it is plain term frequency.

const MAX_SENTENCES = 3;
const MAX_SUMMARY_CHARS = 400;
const MAX_TOPICS = 5;
/** A sentence joins the best one only if it scores at least this share of it. */
const KEEP_RATIO = 0.5;

type Input = Pick<ResponderInput, 'session' | 'history' | 'knowledge'>;

interface Sentence {
  text: string;
  order: number;
  terms: Set<string>;
}

export function summarizeConversation(input: Input): SessionSummary {
  const customer = input.history.filter((m) => m.sender === 'contact' && m.text.trim()).map((m) => m.text);
  if (!customer.length) return { summary: '', sentiment: null, topics: [] };
  const language = guessLanguage(customer.join('\n'), input.session.language);
  const index = input.knowledge.length ? knowledgeIndex(input.knowledge) : null;
  const idf = (term: string) => {
    if (!index) return 1;
    const { df, n } = docFrequency(index, language, term);
    return Math.log((1 + n) / (1 + df)) + 1;
  };
  // A broad stopword ("order", "problem") is a topic only if the organization's knowledge uses it.
  const known = (term: string) => (index ? docFrequency(index, language, term).df > 0 : false);

  const surface = new Map<string, Map<string, number>>(); // stem → typed forms and their counts
  const tf = new Map<string, number>();
  const picked: Sentence[] = [];
  let order = 0;
  for (const text of customer.flatMap(sentences)) {
    const terms = new Set<string>();
    // Greetings and thank-yous are never the point of a conversation.
    if (!classifySmallTalk(text, { afterAiReply: false })) {
      for (const w of words(text)) {
        const s = contentStem(w, language, known);
        if (!s) continue;
        terms.add(s);
        tf.set(s, (tf.get(s) ?? 0) + 1);
        const forms = surface.get(s) ?? new Map<string, number>();
        surface.set(s, forms.set(w, (forms.get(w) ?? 0) + 1));
      }
    }
    picked.push({ text, order: order++, terms });
  }

  const weight = new Map([...tf].map(([t, n]) => [t, n * idf(t)]));
  const score = (s: Sentence) => (s.terms.size ? [...s.terms].reduce((sum, t) => sum + (weight.get(t) ?? 0), 0) / Math.sqrt(s.terms.size) : 0);
  const ranked = picked.filter((s) => s.terms.size).sort((a, b) => score(b) - score(a));
  const chosen: Sentence[] = [];
  let length = 0;
  for (const s of ranked) {
    if (chosen.length === MAX_SENTENCES || score(s) < KEEP_RATIO * score(ranked[0]!)) break;
    if (chosen.length && length + s.text.length > MAX_SUMMARY_CHARS) continue;
    chosen.push(s);
    length += s.text.length + 1;
  }
  // Nothing but small talk: the last thing the customer said is the best summary there is.
  const summary = chosen.length
    ? chosen.sort((a, b) => a.order - b.order).map((s) => s.text).join(' ')
    : (customer.at(-1) ?? '').slice(0, MAX_SUMMARY_CHARS);

  const topics = [...weight]
    .sort((a, b) => b[1] - a[1] || (tf.get(b[0]) ?? 0) - (tf.get(a[0]) ?? 0) || b[0].length - a[0].length)
    .slice(0, MAX_TOPICS)
    .map(([t]) => mostCommon(surface.get(t)!));

  return { summary, sentiment: sentimentOf(customer, input.session.language), topics };
}

/** The stem of a word that can be a keyword: 3+ letters, not a number, not a function word or unknown filler. */
function contentStem(word: string, language: Language, known: (stem: string) => boolean): string | null {
  if (word.length < 3 || /^\d/.test(word) || isLightStopword(word, language)) return null;
  const s = stem(word, language);
  if (isBroadStopword(word, language) && !known(s)) return null;
  return s;
}

function mostCommon(forms: Map<string, number>): string {
  return [...forms].sort((a, b) => b[1] - a[1] || a[0].length - b[0].length)[0]![0];
}
