import { describe, expect, it } from 'vitest';
import { splitArticle } from '../../../src/ai/passages.ts';

// Articles become quotable passages: paragraphs, under the heading that introduces them.

const article = (body: string) => ({ id: 'a1', title: 'Payments', tags: [], body });

describe('splitArticle', () => {
  it('splits paragraphs and carries markdown and bold headings', () => {
    const passages = splitArticle(article('## Cards\n\nWe accept Visa and Mastercard.\n\n**Invoices**\n\nBusiness customers can pay by invoice.'));
    expect(passages.map((p) => [p.id, p.heading, p.text])).toEqual([
      ['a1#0', 'Cards', 'We accept Visa and Mastercard.'],
      ['a1#1', 'Invoices', 'Business customers can pay by invoice.'],
    ]);
  });

  it('keeps a line ending in ":" with the list it introduces', () => {
    const [p] = splitArticle(article('You can pay with:\n\n- Visa\n- PayPal'));
    expect(p!.text).toBe('You can pay with:\n- Visa\n- PayPal');
  });

  it('cuts a very long paragraph into runs of whole sentences', () => {
    const long = Array.from({ length: 30 }, (_, i) => `Sentence number ${i} explains one more detail.`).join(' ');
    const passages = splitArticle(article(long));
    expect(passages.length).toBeGreaterThan(1);
    for (const p of passages) {
      expect(p.text.length).toBeLessThanOrEqual(600);
      expect(p.text.endsWith('.')).toBe(true);
    }
  });

  it('keeps a one-line body whole', () => {
    expect(splitArticle(article('Monday to Friday, 9-17 CET'))).toMatchObject([{ text: 'Monday to Friday, 9-17 CET' }]);
  });
});
