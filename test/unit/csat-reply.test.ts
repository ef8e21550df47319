import { describe, expect, it } from 'vitest';
import { scoreFromReply } from '../../src/domain/csat/csat-answer.ts';
import { csatPrompt } from '../../src/domain/csat/csat-request.ts';

// What counts as a rating when a resolved SMS / WhatsApp / Slack conversation asked for one, and what is the
// customer simply writing again (which reopens the conversation).

describe('scoreFromReply', () => {
  it.each([
    ['4', 4, null],
    [' 5 ', 5, null],
    ['5!', 5, null],
    ['3/5', 3, null],
    ['2 - slow but fine', 2, 'slow but fine'],
    ['1: it took a week', 1, 'it took a week'],
    ['4, thanks', 4, 'thanks'],
    ['5 — great', 5, 'great'],
  ])('%j is a rating', (text, score, comment) => {
    expect(scoreFromReply(text)).toEqual({ score, comment });
  });

  it.each(['0', '6', '10', '4 more questions', 'four', 'I give it 5', '45', '', 'Order 3 is late'])('%j is not', (text) => {
    expect(scoreFromReply(text)).toBeNull();
  });
});

describe('csatPrompt', () => {
  it('asks for a digit, five links with the token, or a plain question for the rating row', () => {
    expect(csatPrompt('digits', 'tok', 'https://x/csat')).toMatch(/Reply with a number from 1 \(poor\) to 5 \(excellent\)/);
    const links = csatPrompt('links', 'tok', 'https://x/csat');
    expect([1, 2, 3, 4, 5].every((n) => links.includes(`https://x/csat/tok?score=${n}`))).toBe(true);
    expect(csatPrompt('rating-row', 'tok', 'https://x/csat')).toBe('How would you rate the help you got?');
  });
});
