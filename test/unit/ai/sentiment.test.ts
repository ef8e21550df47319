import { describe, expect, it } from 'vitest';
import { ANGRY_AT, HAPPY_AT, scoreSentiment, sentimentOf } from '../../../src/ai/sentiment.ts';

// Sentiment with natural's AFINN / Pattern vocabularies, mapped to Open's angry | neutral | happy by the
// thresholds documented in src/ai/sentiment.ts.

describe('sentimentOf', () => {
  const cases: Array<[string | null, string, 'angry' | 'neutral' | 'happy']> = [
    [null, 'This is ridiculous, I am furious. Your service is terrible!', 'angry'],
    [null, 'I hate this, it is a scam and a waste of money', 'angry'],
    [null, 'Worst company ever, absolutely useless', 'angry'],
    [null, 'Thanks, that was great, you are awesome', 'happy'],
    [null, 'How do I reset my password?', 'neutral'],
    // One mild word in a support chat is not anger.
    [null, 'I have a problem with my order', 'neutral'],
    [null, 'problem with login', 'neutral'],
    [null, 'my package is damaged and I want a refund', 'neutral'],
    ['es', 'Esto es horrible, estoy muy enfadado, el peor servicio', 'angry'],
    ['es', 'Muchas gracias, excelente servicio', 'happy'],
    ['es', 'Tengo un problema con mi pedido', 'neutral'],
    ['pt', 'Isso é horrível, péssimo atendimento, estou furioso', 'angry'],
    ['pt', 'Obrigado, ótimo atendimento, excelente', 'happy'],
    ['fr', "C'est nul, je suis furieux, service horrible", 'angry'],
    ['fr', 'Merci beaucoup, super service', 'happy'],
    ['fr', 'Comment réinitialiser mon mot de passe ?', 'neutral'],
    ['de', 'Das ist schrecklich, ich bin wütend, furchtbarer Service', 'angry'],
    ['de', 'Vielen Dank, toller Service, super!', 'happy'],
    ['de', 'Wie kann ich mein Passwort zurücksetzen?', 'neutral'],
    ['it', 'È terribile, sono arrabbiato, servizio pessimo', 'angry'],
    ['it', 'Grazie mille, servizio ottimo', 'happy'],
    ['nl', 'Dit is verschrikkelijk, ik ben boos, slechte service', 'angry'],
    ['nl', 'Bedankt, geweldige hulp', 'happy'],
  ];
  it.each(cases)('[%s] %s → %s', (lang, text, expected) => {
    expect(sentimentOf([text], lang)).toBe(expected);
  });

  it('guesses the language when the session has none', () => {
    expect(scoreSentiment(['Esto es horrible, estoy muy enfadado, el peor servicio']).language).toBe('es');
    expect(scoreSentiment(['Das ist schrecklich, ich bin wütend']).language).toBe('de');
  });

  it('keeps a negation inside its clause', () => {
    // natural flips every word after "not" to the end of its input; per clause, "thanks" stays positive.
    expect(sentimentOf(['This is not bad at all, thanks so much, great help'])).toBe('happy');
  });

  it('sums over the messages, with the mean as a guard for long calm text', () => {
    const long = `${'I am writing about the delivery options for my order and the tracking number. '.repeat(5)}It was terrible.`;
    const score = scoreSentiment([long]);
    expect(score.polarity).toBeLessThanOrEqual(ANGRY_AT);
    expect(score.sentiment).toBe('neutral');
    expect(HAPPY_AT).toBe(-ANGRY_AT);
  });

  it('is neutral for nothing at all', () => {
    expect(scoreSentiment([])).toMatchObject({ sentiment: 'neutral', polarity: 0, words: 0 });
  });
});
