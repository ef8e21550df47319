// Text splitting shared by retrieval, triggers, sentiment and summaries. Intl.Segmenter (ICU, built into Node) splits
// words and sentences correctly in every language we support, accents and apostrophes included, so no tokenizer
// of our own and no per-language regex is needed.

const wordSegmenter = new Intl.Segmenter('en', { granularity: 'word' });
const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Lowercase without diacritics: customers type "reembolso" and "réembolsó" alike, so matching must not care. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** Word-like tokens, lowercased, accents kept (stemmers and sentiment vocabularies expect them). */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const s of wordSegmenter.segment(text)) if (s.isWordLike) out.push(s.segment.toLowerCase());
  return out;
}

/** Sentences, trimmed, empty ones dropped. */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const s of sentenceSegmenter.segment(text)) {
    const t = s.segment.trim();
    if (t) out.push(t);
  }
  return out;
}

/**
 * Clauses: sentences cut again at , ; : and dashes. Negation in natural's sentiment analyzer flips every word after
 * "not" until the end of its input, so we feed it one clause at a time to keep a "not" local.
 */
export function clauses(text: string): string[] {
  return sentences(text)
    .flatMap((s) => s.split(/[,;:]|\s[-–—]\s/))
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

/** Cuts at a word boundary, for prompts and summaries that have a size budget. */
export function clip(text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  const cut = trimmed.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${cut.slice(0, space > max * 0.6 ? space : max).trimEnd()}…`;
}
