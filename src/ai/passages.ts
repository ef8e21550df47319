import type { KnowledgeArticle } from './responder.ts';
import { sentences } from './text.ts';

// The knowledge responder quotes a passage, not a whole article: an article on refunds may also cover exchanges and
// gift cards, and the customer asked about one of them. A passage is a paragraph (blank-line separated, as authors
// write them); a markdown heading is folded into the paragraph it introduces; a very long paragraph is cut into
// runs of whole sentences so a quote stays short enough for SMS and chat.

export interface Passage {
  /** `${articleId}#${position}`, unique within an organization's knowledge. */
  id: string;
  articleId: string;
  title: string;
  tags: string[];
  /** The heading the paragraph sits under, if any; indexed with the text. */
  heading: string;
  text: string;
  position: number;
}

const MAX_PASSAGE_CHARS = 600;

export function splitArticle(article: KnowledgeArticle): Passage[] {
  const passages: Passage[] = [];
  let heading = '';
  let lead = '';
  for (const block of article.body.split(/\n\s*\n/)) {
    const lines = block.split('\n').map((l) => l.trim()).filter(Boolean);
    // A heading line ("## Refunds") names what follows; it is not an answer by itself.
    while (lines.length && /^#{1,6}\s/.test(lines[0]!)) heading = lines.shift()!.replace(/^#+\s*/, '');
    if (!lines.length) continue;
    // So is a lone short line without a full stop ("**Refunds**", "Refund policy").
    if (lines.length === 1 && lines[0]!.length <= 80 && !/[.!?:]$/.test(lines[0]!)) {
      heading = lines[0]!.replace(/^[*_#\s]+|[*_\s]+$/g, '');
      continue;
    }
    // A lone line ending in ":" introduces the next block ("You can pay with:" + a list): keep them together.
    if (lines.length === 1 && lines[0]!.endsWith(':')) {
      lead = `${lead}${lines[0]}\n`;
      continue;
    }
    const text = lead + lines.join('\n');
    lead = '';
    for (const chunk of text.length > MAX_PASSAGE_CHARS ? sentenceRuns(text) : [text]) {
      const position = passages.length;
      passages.push({ id: `${article.id}#${position}`, articleId: article.id, title: article.title, tags: article.tags, heading, text: chunk, position });
    }
  }
  // A one-line body ("9:00-17:00 CET, Monday to Friday") or none at all still answers, as a whole.
  const whole = (lead + article.body).trim() || article.title.trim();
  if (!passages.length && whole) {
    passages.push({ id: `${article.id}#0`, articleId: article.id, title: article.title, tags: article.tags, heading, text: whole, position: 0 });
  }
  return passages;
}

/** Whole sentences grouped up to the size limit; a single overlong sentence stays whole rather than cut mid-word. */
function sentenceRuns(text: string): string[] {
  const runs: string[] = [];
  let current = '';
  for (const s of sentences(text)) {
    if (current && current.length + 1 + s.length > MAX_PASSAGE_CHARS) {
      runs.push(current);
      current = s;
    } else {
      current = current ? `${current} ${s}` : s;
    }
  }
  if (current) runs.push(current);
  return runs;
}
