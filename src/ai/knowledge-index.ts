import { createHash } from 'node:crypto';
import MiniSearch, { type SearchResult } from 'minisearch';
import { guessLanguage, isBroadStopword, isLightStopword, stem, type Language } from './language.ts';
import { splitArticle, type Passage } from './passages.ts';
import type { KnowledgeArticle } from './responder.ts';
import { words } from './text.ts';

// Full-text retrieval over an organization's knowledge with MiniSearch (BM25, fuzzy and prefix matching). Articles
// are grouped by language and each group is indexed with its own stemmer, so a Spanish FAQ and an English one can
// live in one organization; a query is searched in every group with that group's stemmer.
//
// Indexes are built from the articles the turn worker passes in (organizations have tens of articles, a build
// takes milliseconds) and kept in a small LRU keyed by a hash of the articles, so an edit is seen at once and
// nothing is shared between processes; the same frozen array skips the hash too.

export interface Hit {
  passage: Passage;
  /** MiniSearch's BM25 score: comparable within one search only. */
  score: number;
  /** 0..1, see confidenceOf. */
  confidence: number;
}

interface Group {
  language: Language;
  search: MiniSearch<Passage>;
  passages: Map<string, Passage>;
  /** stem → number of passages containing it: the background corpus for TF-IDF in summaries. */
  docFreq: Map<string, number>;
  passageCount: number;
}

export interface KnowledgeIndex {
  groups: Group[];
}

const CACHE_SIZE = 64;
const cache = new Map<string, KnowledgeIndex>();
// The turn worker passes the same (frozen) array until the organization's knowledge changes
// (src/domain/handling/turn-context.ts): then not even the hash is computed again.
const byArray = new WeakMap<readonly KnowledgeArticle[], KnowledgeIndex>();

export function knowledgeIndex(articles: readonly KnowledgeArticle[]): KnowledgeIndex {
  const same = byArray.get(articles);
  if (same) return same;
  const index = indexByContent(articles);
  if (Object.isFrozen(articles)) byArray.set(articles, index);
  return index;
}

function indexByContent(articles: readonly KnowledgeArticle[]): KnowledgeIndex {
  const key = createHash('sha256')
    .update(JSON.stringify(articles.map((a) => [a.id, a.title, a.body, a.tags])))
    .digest('base64url');
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // re-insert: Map order is the LRU order
    cache.set(key, hit);
    return hit;
  }
  const built = build(articles);
  cache.set(key, built);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return built;
}

function build(articles: readonly KnowledgeArticle[]): KnowledgeIndex {
  const byLanguage = new Map<Language, Passage[]>();
  for (const article of articles) {
    const lang = guessLanguage(`${article.title}\n${article.body}`);
    byLanguage.set(lang, [...(byLanguage.get(lang) ?? []), ...splitArticle(article)]);
  }
  return { groups: [...byLanguage].map(([language, passages]) => buildGroup(language, passages)) };
}

function processTerm(language: Language) {
  // Function words are dropped (they would match everything); the rest is stemmed and accent-folded.
  return (term: string): string | null => (term.length < 2 || isLightStopword(term, language) ? null : stem(term, language));
}

function buildGroup(language: Language, passages: Passage[]): Group {
  const search = new MiniSearch<Passage>({
    fields: ['title', 'heading', 'text', 'tags'],
    extractField: (doc, field) => (field === 'tags' ? doc.tags.join(' ') : String(doc[field as keyof Passage] ?? '')),
    tokenize: words,
    processTerm: processTerm(language),
    searchOptions: {
      // The title says what an article is about; a heading what a section is about.
      boost: { title: 2, heading: 1.5, tags: 1.5 },
      prefix: (term) => term.length >= 4,
      fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
      maxFuzzy: 2,
      combineWith: 'OR',
    },
  });
  search.addAll(passages);
  const docFreq = new Map<string, number>();
  const process = processTerm(language);
  for (const p of passages) {
    const stems = new Set(words(`${p.title} ${p.heading} ${p.text} ${p.tags.join(' ')}`).map(process).filter((s) => s !== null));
    for (const s of stems) docFreq.set(s, (docFreq.get(s) ?? 0) + 1);
  }
  return { language, search, passages: new Map(passages.map((p) => [p.id, p])), docFreq, passageCount: passages.length };
}

/** Best passages for a query across all language groups, most confident first (BM25 score breaks ties). */
export function searchKnowledge(index: KnowledgeIndex, query: string, limit = 5): Hit[] {
  const hits: Hit[] = [];
  for (const group of index.groups) {
    const process = processTerm(group.language);
    const queryTerms = new Map<string, string>(); // stem → the word the customer typed
    for (const w of words(query)) {
      const s = process(w);
      if (s !== null && !queryTerms.has(s)) queryTerms.set(s, w);
    }
    if (!queryTerms.size) continue;
    for (const result of group.search.search(query).slice(0, limit)) {
      const passage = group.passages.get(String(result.id));
      if (passage) hits.push({ passage, score: result.score, confidence: confidenceOf(queryTerms, result, group.language) });
    }
  }
  return hits.sort((a, b) => b.confidence - a.confidence || b.score - a.score).slice(0, limit);
}

/**
 * Confidence = the share of the customer's meaningful query terms that the passage (with its title) contains:
 * a term found as typed (after stemming) counts 1, one found only by prefix or fuzzy match counts 0.5, a missing
 * one 0. BM25 scores are not comparable across queries, so they order results but do not make the confidence.
 *
 * "Meaningful": function words never count (dropped before search). A broader stopword ("please", "tell", "need")
 * counts only if the passage contains it; when it is missing it is taken for filler and left out of the
 * denominator, so "could you please tell me how long shipping takes" is judged on "shipping" (+ "takes").
 */
function confidenceOf(queryTerms: Map<string, string>, result: SearchResult, language: Language): number {
  let total = 0;
  let got = 0;
  for (const [term, typed] of queryTerms) {
    const exact = result.terms.includes(term);
    const partial = !exact && result.queryTerms.includes(term);
    if (!exact && !partial && isBroadStopword(typed, language)) continue;
    total += 1;
    got += exact ? 1 : partial ? 0.5 : 0;
  }
  return total ? got / total : 0;
}

/** Whether any passage, in any language group, contains the word (stemmed as that group stems). */
export function knowsWord(index: KnowledgeIndex, word: string): boolean {
  return index.groups.some((g) => {
    const s = processTerm(g.language)(word);
    return s !== null && g.docFreq.has(s);
  });
}

/** How many passages of the given language contain a stem, and how many there are: IDF for summaries. */
export function docFrequency(index: KnowledgeIndex, language: Language, stemmed: string): { df: number; n: number } {
  const group = index.groups.find((g) => g.language === language);
  return { df: group?.docFreq.get(stemmed) ?? 0, n: group?.passageCount ?? 0 };
}
