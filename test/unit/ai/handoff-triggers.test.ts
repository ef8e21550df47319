import { describe, expect, it } from 'vitest';
import { checkHandoffTriggers, ruleMatches } from '../../../src/ai/handoff-triggers.ts';
import { asksForHuman } from '../../../src/ai/human-request.ts';
import type { AiSettings } from '../../../src/ai/responder.ts';
import { SETTINGS, turn } from './fixtures.ts';

// The reasons to hand off that every responder checks before answering.

const withHandoff = (handoff: Partial<AiSettings['handoff']>): AiSettings => ({ ...SETTINGS, handoff: { ...SETTINGS.handoff, ...handoff } });

describe('asksForHuman', () => {
  const asks: Array<[string, string]> = [
    ['en', 'Can I talk to a human?'],
    ['en', 'I want to speak with a real person'],
    ['en', 'agent please'],
    ['en', 'AGENT'],
    ['en', 'Please connect me to a representative'],
    ['en', 'is there a live agent I could chat with'],
    ['en', 'I need a human'],
    ['es', 'Quiero hablar con una persona'],
    ['es', '¿Puedo hablar con un agente humano?'],
    ['es', 'Necesito un asesor'],
    ['fr', 'Je voudrais parler à un humain'],
    ['fr', 'Puis-je parler avec un conseiller ?'],
    ['fr', "Je veux parler à quelqu'un"],
    ['de', 'Ich möchte mit einem Menschen sprechen'],
    ['de', 'Kann ich mit einem Mitarbeiter reden?'],
    ['de', 'Bitte mit einer echten Person verbinden'],
    ['pt', 'Quero falar com um atendente'],
    ['pt', 'Posso falar com uma pessoa de verdade?'],
    ['it', 'Vorrei parlare con un operatore'],
    ['it', 'Posso parlare con una persona reale?'],
    ['nl', 'Ik wil met een medewerker spreken'],
    ['nl', 'Kan ik praten met een mens?'],
  ];
  it.each(asks)('[%s] %s', (lang, text) => {
    expect(asksForHuman(text)).toBe(lang);
  });

  const doesNot = [
    'I am a human resources manager',
    'The agent told me yesterday that it shipped',
    'My travel agent booked it',
    'This is a real problem',
    'How do I reset my password?',
    'Can I talk to you about my refund?',
    'Human-readable invoices, please?',
    'Ich habe mit dem Paket ein Problem',
    '¿Cuánto tarda el envío a una persona en México?',
    'Je ne trouve personne à la maison pour la livraison',
  ];
  it.each(doesNot)('not: %s', (text) => {
    expect(asksForHuman(text)).toBeNull();
  });

  it('ignores case and accents', () => {
    expect(asksForHuman('PARLER A UN HUMAIN')).toBe('fr');
    expect(asksForHuman('Ich möchte mit einem MENSCHEN sprechen')).toBe('de');
    expect(asksForHuman('Ich mochte mit einem Menschen sprechen')).toBe('de');
  });
});

describe('ruleMatches', () => {
  const session = turn('hi', { session: { customData: { plan: 'enterprise', vip: 'true', region: 'EU' }, priority: 'urgent' } }).session;

  it('matches when every key equals the custom_data, comparing as text', () => {
    expect(ruleMatches({ plan: 'enterprise' }, session)).toBe(true);
    expect(ruleMatches({ plan: 'Enterprise', vip: true }, session)).toBe(true);
    expect(ruleMatches({ plan: 'enterprise', region: 'US' }, session)).toBe(false);
    expect(ruleMatches({ missing: 'x' }, session)).toBe(false);
  });

  it("treats priority as a minimum of the session's priority", () => {
    expect(ruleMatches({ priority: 'high' }, session)).toBe(true); // urgent ≥ high
    expect(ruleMatches({ priority: 'high' }, { ...session, priority: 'normal' })).toBe(false);
    expect(ruleMatches({ priority: 'high' }, { ...session, priority: 'normal', customData: { priority: 'high' } })).toBe(true);
  });

  it('never matches an empty rule', () => {
    expect(ruleMatches({}, session)).toBe(false);
  });
});

describe('checkHandoffTriggers', () => {
  it('returns null for an ordinary question', () => {
    expect(checkHandoffTriggers(turn('How long does shipping take?'), SETTINGS)).toBeNull();
  });

  it('hands off on a routing rule, with a summary and sentiment for the agent', () => {
    const out = checkHandoffTriggers(turn('How long does shipping take?', { session: { priority: 'high' } }), withHandoff({ custom_data_rules: [{ priority: 'high' }] }));
    expect(out).toEqual({
      type: 'handoff',
      reason: 'ai_decided_to_handoff_the_conversation',
      why: 'routing rule matched: {"priority":"high"}',
      summary: 'How long does shipping take?',
      sentiment: 'neutral',
    });
  });

  it('hands off when the customer asks for a person, in any message of the burst', () => {
    const out = checkHandoffTriggers(turn(['My order is late', 'quiero hablar con una persona']), SETTINGS);
    expect(out).toMatchObject({ type: 'handoff', why: 'the customer asked for a person (es)' });
  });

  it('hands off after max_failed_attempts unsatisfying replies', () => {
    expect(checkHandoffTriggers(turn('still not working', { failedAttempts: 1 }), SETTINGS)).toBeNull();
    expect(checkHandoffTriggers(turn('still not working', { failedAttempts: 2 }), SETTINGS)).toMatchObject({
      why: 'repeated failure: 2 AI replies in a row did not help',
    });
  });

  it('hands off an angry customer only when on_negative_sentiment is set', () => {
    const angry = turn('This is ridiculous, I am furious. Your service is terrible!');
    expect(checkHandoffTriggers(angry, SETTINGS)).toMatchObject({ why: 'negative sentiment: the customer is upset', sentiment: 'angry' });
    expect(checkHandoffTriggers(angry, withHandoff({ on_negative_sentiment: false }))).toBeNull();
  });

  it('judges the mood of this turn, not of the whole history', () => {
    const calmedDown = turn('ok, how do I reset my password?', { history: [['contact', 'This is terrible, I am furious!']] });
    expect(checkHandoffTriggers(calmedDown, SETTINGS)).toBeNull();
  });
});
