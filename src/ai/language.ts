import { createRequire } from 'node:module';
import type { Stemmer } from 'natural/lib/natural/stemmers/index.js';
import {
  PorterStemmer,
  PorterStemmerDe,
  PorterStemmerEs,
  PorterStemmerFr,
  PorterStemmerIt,
  PorterStemmerNl,
  PorterStemmerPt,
} from 'natural/lib/natural/stemmers/index.js';
import stopword from 'stopword';
import { fold, words } from './text.ts';

// The languages the embedded responder understands: each has a stemmer (natural), stopword lists (stopword,
// stopwords-iso) and a sentiment vocabulary (natural). natural is imported by deep path on purpose: its index
// loads every storage backend and calls dotenv, which would print to stdout and read a .env into process.env.

export const LANGUAGES = ['en', 'es', 'fr', 'de', 'pt', 'it', 'nl'] as const;
export type Language = (typeof LANGUAGES)[number];

const STEMMERS: Record<Language, Stemmer> = {
  en: PorterStemmer,
  es: PorterStemmerEs,
  fr: PorterStemmerFr,
  de: PorterStemmerDe,
  pt: PorterStemmerPt,
  it: PorterStemmerIt,
  nl: PorterStemmerNl,
};

const ISO_639_3: Record<Language, 'eng' | 'spa' | 'fra' | 'deu' | 'por' | 'ita' | 'nld'> = {
  en: 'eng',
  es: 'spa',
  fr: 'fra',
  de: 'deu',
  pt: 'por',
  it: 'ita',
  nl: 'nld',
};

// stopwords-iso ships only a JSON file (no types, no ESM entry), hence require.
const iso = createRequire(import.meta.url)('stopwords-iso') as Record<string, string[]>;

function foldedSet(list: readonly string[]): ReadonlySet<string> {
  return new Set(list.map(fold));
}

/**
 * Short lists (the `stopword` package): function words only, safe to drop from a search query. English's are added
 * to every language: customers mix English in, and every query is also searched in the other languages' groups.
 */
const LIGHT: Record<Language, ReadonlySet<string>> = Object.fromEntries(
  LANGUAGES.map((l) => [l, foldedSet([...stopword[ISO_639_3[l]], ...stopword.eng])]),
) as Record<Language, ReadonlySet<string>>;

/**
 * Long lists (stopwords-iso): also drop "please", "tell", "need", "order"… Too aggressive to search with (an
 * e-commerce FAQ is about orders), but right for telling filler from topic words and for guessing the language.
 */
const BROAD: Record<Language, ReadonlySet<string>> = Object.fromEntries(
  LANGUAGES.map((l) => [l, foldedSet(iso[l] ?? [])]),
) as Record<Language, ReadonlySet<string>>;

export function isLightStopword(word: string, lang: Language): boolean {
  return LIGHT[lang].has(fold(word));
}

export function isBroadStopword(word: string, lang: Language): boolean {
  const w = fold(word);
  return BROAD[lang].has(w) || BROAD.en.has(w);
}

export function stemmerFor(lang: Language): Stemmer {
  return STEMMERS[lang];
}

/** Stem then fold, so "réembolsos" and "reembolso" meet, and accents typed or not do not matter. */
export function stem(word: string, lang: Language): string {
  return fold(STEMMERS[lang].stem(word.toLowerCase()));
}

/** "es", "es-MX", "pt_BR", "Spanish"… → a supported language, or null. */
export function languageFromHint(hint: string | null | undefined): Language | null {
  if (!hint) return null;
  const code = hint.trim().toLowerCase().slice(0, 2);
  return (LANGUAGES as readonly string[]).includes(code) ? (code as Language) : null;
}

/**
 * The language a customer's text is in, or null while it is too short to tell: at least two of its words must be
 * function words of that language, and more of them than of any other (a "hi" or an order number decides nothing).
 * Sets the session's language (Open's `language`) on the first turn that can tell.
 */
export function detectLanguage(text: string): Language | null {
  const tokens = words(text).map(fold);
  const ranked = LANGUAGES.map((lang) => ({ lang, hits: tokens.filter((t) => BROAD[lang].has(t)).length })).sort(
    (a, b) => b.hits - a.hits,
  );
  const [best, next] = ranked;
  return best && best.hits >= 2 && best.hits > (next?.hits ?? 0) ? best.lang : null;
}

/**
 * The session's language when it is known; otherwise the language whose stopwords-iso list covers most of the
 * text's words (function words are the most reliable signal in short chat messages). English when nothing decides.
 */
export function guessLanguage(text: string, hint?: string | null): Language {
  const known = languageFromHint(hint);
  if (known) return known;
  const tokens = words(text).map(fold);
  let best: Language = 'en';
  let bestHits = 0;
  for (const lang of LANGUAGES) {
    const hits = tokens.filter((t) => BROAD[lang].has(t)).length;
    if (hits > bestHits) [best, bestHits] = [lang, hits];
  }
  return best;
}
