import { expect, it } from 'vitest';
import { splitText } from '../../src/domain/outbound/split-text.ts';

it('keeps text within the limit whole', () => {
  expect(splitText('Hello there', 20)).toEqual(['Hello there']);
  expect(splitText('x'.repeat(20), 20)).toEqual(['x'.repeat(20)]);
});

it('splits at the last paragraph, line or word break that fits, and never exceeds the limit', () => {
  const para = 'First paragraph is here.\n\nSecond paragraph follows it.';
  expect(splitText(para, 30)).toEqual(['First paragraph is here.', 'Second paragraph follows it.']);
  const words = 'one two three four five six seven eight nine ten';
  const parts = splitText(words, 15);
  expect(parts.every((p) => p.length <= 15)).toBe(true);
  expect(parts.join(' ')).toBe(words);
  expect(parts.every((p) => !p.startsWith(' ') && !p.endsWith(' '))).toBe(true);
});

it('cuts a word longer than the limit hard, losing nothing', () => {
  const parts = splitText('a'.repeat(25), 10);
  expect(parts).toEqual(['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)]);
});

it('splits a 4000-character reply into SMS-sized parts in order', () => {
  const sentences = Array.from({ length: 100 }, (_, i) => `Sentence number ${i} of the reply.`).join(' ');
  const parts = splitText(sentences, 1600);
  expect(parts.length).toBe(Math.ceil(sentences.length / 1600));
  expect(parts.every((p) => p.length <= 1600)).toBe(true);
  expect(parts.join(' ')).toBe(sentences);
});
