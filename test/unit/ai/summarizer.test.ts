import { describe, expect, it } from 'vitest';
import { summarizeConversation } from '../../../src/ai/summarizer.ts';
import { KNOWLEDGE, turn } from './fixtures.ts';

// The extractive summary of the embedded responder: the customer's most informative sentences, TF-IDF keywords,
// sentiment.

describe('summarizeConversation', () => {
  it("picks the customer's informative sentences in order, skipping small talk", () => {
    const input = turn('Thanks a lot!', {
      history: [
        ['contact', 'Hello!'],
        ['contact', 'I ordered blue running shoes last week. The parcel never arrived and the tracking link shows nothing.'],
        ['ai', 'Standard delivery takes 3-5 business days.'],
        ['contact', 'It has been ten days, I want a refund for the shoes.'],
      ],
    });
    const out = summarizeConversation(input);
    expect(out.summary).not.toContain('Hello');
    expect(out.summary).not.toContain('Thanks');
    expect(out.summary).not.toContain('Standard delivery'); // the AI's words are not the customer's issue
    expect(out.summary).toContain('The parcel never arrived');
    expect(out.summary.length).toBeLessThanOrEqual(400);
    expect(out.topics.length).toBeGreaterThan(0);
    expect(out.topics.length).toBeLessThanOrEqual(5);
    expect(out.topics).toEqual(expect.arrayContaining(['shoes']));
    expect(out.sentiment).toBe('neutral');
  });

  it('weighs words every article uses less than specific ones (IDF over the knowledge)', () => {
    const input = turn('My invoice shows the wrong business address, the invoice total is also wrong', { knowledge: KNOWLEDGE });
    const out = summarizeConversation(input);
    expect(out.topics[0]).toBe('invoice');
    // Each said once; "address" is in one passage of the shop's knowledge, "business" in three.
    expect(out.topics.indexOf('address')).toBeGreaterThanOrEqual(0);
    expect(out.topics.indexOf('address')).toBeLessThan(out.topics.indexOf('business'));
  });

  it('reports the sentiment of the customer', () => {
    const out = summarizeConversation(turn('This is ridiculous, I am furious. Your service is terrible!'));
    expect(out.sentiment).toBe('angry');
  });

  it('is empty when the customer wrote nothing', () => {
    expect(summarizeConversation({ ...turn('x'), history: [] })).toEqual({ summary: '', sentiment: null, topics: [] });
  });

  it('falls back to the last message when there is only small talk', () => {
    expect(summarizeConversation(turn('Hi there')).summary).toBe('Hi there');
  });
});
