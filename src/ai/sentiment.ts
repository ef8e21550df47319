import { SentimentAnalyzer } from 'natural/lib/natural/sentiment/index.js';
import type { Sentiment } from '../domain/model/enums.ts';
import { guessLanguage, stemmerFor, type Language } from './language.ts';
import { clauses, words } from './text.ts';

// Sentiment of customer text with natural's SentimentAnalyzer and the vocabularies it ships: AFINN-165 for English,
// Spanish and Portuguese (word scores -5..5), Pattern for French, German, Italian and Dutch (scores -1..1).
// Nothing here is a word list of ours.
//
// natural returns (sum of word scores) / (number of words). An average punishes long messages and makes one mild
// word in a three-word message look furious ("problem with login" = -0.67), so we use the sum instead, on one
// scale (AFINN divided by 5: one word at the extreme is ±1), and keep the average only as a guard:
//
//   polarity = Σ word scores / scale            angry  ⇔ polarity ≤ -0.6 and mean ≤ -0.03
//   mean     = polarity / number of words       happy  ⇔ polarity ≥ +0.6 and mean ≥ +0.03
//                                              neutral otherwise
//
// 0.6 is one strongly negative AFINN word (-3: "terrible", "furious", "worst") or two mild ones (-2: "problem",
// "annoyed"): one "problem" in a support chat is not anger. The mean guard keeps one sour word in a long, calm
// message neutral. Calibrated on the cases in test/unit/ai/sentiment.test.ts.

export const ANGRY_AT = -0.6;
export const HAPPY_AT = 0.6;
const MEAN_GUARD = 0.03;

const VOCABULARY: Record<Language, { name: string; type: 'afinn' | 'pattern'; scale: number }> = {
  en: { name: 'English', type: 'afinn', scale: 5 },
  es: { name: 'Spanish', type: 'afinn', scale: 5 },
  pt: { name: 'Portuguese', type: 'afinn', scale: 5 },
  fr: { name: 'French', type: 'pattern', scale: 1 },
  de: { name: 'German', type: 'pattern', scale: 1 },
  it: { name: 'Italian', type: 'pattern', scale: 1 },
  nl: { name: 'Dutch', type: 'pattern', scale: 1 },
};

// Building an analyzer copies its vocabulary (thousands of entries): once per language per process. The Pattern
// vocabularies list base forms only ("furchtbar", "geweldig"), so those analyzers also get the language's stemmer
// (natural then tries the stem when the word itself is unknown); AFINN lists inflected forms and needs none.
const analyzers = new Map<Language, SentimentAnalyzer>();
function analyzerFor(lang: Language): SentimentAnalyzer {
  let a = analyzers.get(lang);
  if (!a) {
    const { name, type } = VOCABULARY[lang];
    a = new SentimentAnalyzer(name, type === 'pattern' ? stemmerFor(lang) : undefined, type);
    analyzers.set(lang, a);
  }
  return a;
}

export interface SentimentScore {
  sentiment: Sentiment;
  /** Σ word scores on the ±1-per-word scale. */
  polarity: number;
  words: number;
  language: Language;
}

/** Scores texts (e.g. a customer's messages) together; `languageHint` is the session's language when known. */
export function scoreSentiment(texts: readonly string[], languageHint?: string | null): SentimentScore {
  const joined = texts.join('\n');
  const language = guessLanguage(joined, languageHint);
  const analyzer = analyzerFor(language);
  let polarity = 0;
  let count = 0;
  for (const clause of clauses(joined)) {
    const tokens = words(clause);
    if (tokens.length === 0) continue;
    // getSentiment returns the clause's mean; times its length gives back the clause's sum.
    polarity += (analyzer.getSentiment(tokens) * tokens.length) / VOCABULARY[language].scale;
    count += tokens.length;
  }
  const mean = count ? polarity / count : 0;
  const sentiment: Sentiment =
    polarity <= ANGRY_AT && mean <= -MEAN_GUARD ? 'angry' : polarity >= HAPPY_AT && mean >= MEAN_GUARD ? 'happy' : 'neutral';
  return { sentiment, polarity, words: count, language };
}

export function sentimentOf(texts: readonly string[], languageHint?: string | null): Sentiment {
  return scoreSentiment(texts, languageHint).sentiment;
}
