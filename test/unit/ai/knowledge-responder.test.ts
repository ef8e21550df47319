import { describe, expect, it } from 'vitest';
import { createKnowledgeResponder } from '../../../src/ai/knowledge-responder.ts';
import type { ResponderOutput } from '../../../src/ai/responder.ts';
import { KNOWLEDGE, SETTINGS, signal, turn } from './fixtures.ts';

// The embedded responder: quotes the best passage of the organization's knowledge with a confidence, and hands
// off rather than guess.

const responder = createKnowledgeResponder(SETTINGS);
const ask = (...args: Parameters<typeof turn>) => responder.respond(turn(...args), signal());
const reply = (out: ResponderOutput) => {
  if (out.type !== 'reply') throw new Error(`expected a reply, got ${JSON.stringify(out)}`);
  return out;
};

describe('knowledge responder: answers', () => {
  const questions: Array<[string, string, string]> = [
    ['How long does shipping take?', 'kb-shipping', 'Standard delivery takes 3-5 business days'],
    ['Could you please tell me how long shipping takes to Canada?', 'kb-shipping', 'Standard delivery takes 3-5 business days'],
    ['Is express delivery expensive?', 'kb-shipping', 'Express shipping delivers in 1-2 business days and costs $15'],
    ['I want my money back, how do refunds work?', 'kb-refunds', 'within 30 days of delivery for a full refund'],
    ['Can I exchange a shirt for another size?', 'kb-refunds', 'To exchange an item for another size'],
    ['I forgot my password', 'kb-password', 'click "Forgot password"'],
    ['how do I reset my pasword', 'kb-password', 'click "Forgot password"'],
    ['¿Cómo funcionan los reembolsos?', 'kb-reembolsos', 'reembolso completo'],
  ];
  it.each(questions)('%s → %s', async (question, article, passage) => {
    const out = reply(await ask(question));
    expect(out.sources).toEqual([article]);
    expect(out.text).toContain(passage);
    expect(out.confidence).toBeGreaterThanOrEqual(SETTINGS.confidence_threshold);
    expect(out.confidence).toBeLessThanOrEqual(1);
  });

  it('quotes one passage, not the whole article', async () => {
    const out = reply(await ask('Can I exchange a shirt for another size?'));
    expect(out.text).not.toContain('30 days');
    expect(out.text).not.toContain('## Exchanges');
  });

  it('answers the question inside a chatty burst', async () => {
    const out = reply(await ask(['Hi!', 'Quick question.', 'How long does shipping take?']));
    expect(out.sources).toEqual(['kb-shipping']);
  });

  it('reports full confidence when every meaningful word matched', async () => {
    expect(reply(await ask('How long does shipping take?')).confidence).toBe(1);
  });
});

describe('knowledge responder: hands off', () => {
  it.each(['What is the capital of France?', 'Can I pay with PayPal?', 'Do you have a store in Berlin?'])('unrelated: %s', async (question) => {
    const out = await ask(question);
    expect(out).toMatchObject({ type: 'handoff', reason: 'ai_decided_to_handoff_the_conversation', why: expect.stringMatching(/^low confidence/), summary: question });
  });

  it('below a stricter threshold', async () => {
    const strict = createKnowledgeResponder({ ...SETTINGS, confidence_threshold: 0.9 });
    const out = await strict.respond(turn('I want my money back, how do refunds work?'), signal());
    expect(out).toMatchObject({ type: 'handoff', why: expect.stringMatching(/^low confidence: 0\.67 < 0\.9 \(best: Refund policy\)$/) });
  });

  it('when the organization has no knowledge', async () => {
    expect(await ask('How long does shipping take?', { knowledge: [] })).toMatchObject({ type: 'handoff', why: 'low confidence: the organization has no knowledge articles' });
  });

  it('rather than repeat the answer it just gave: the next passage, then a handoff', async () => {
    const first = reply(await ask('How do I reset my password?'));
    const history: Array<['contact' | 'ai', string]> = [['contact', 'How do I reset my password?'], ['ai', first.text]];
    const second = reply(await ask('How do I reset my password??', { history }));
    expect(second.text).toBe('If the email does not arrive, check your spam folder or ask us to resend it.');
    const onlyOne = [{ id: 'kb-pw', title: 'Password', tags: [], body: first.text }];
    const third = await ask('How do I reset my password??', { history, knowledge: onlyOne });
    expect(third).toMatchObject({ type: 'handoff', why: 'low confidence: the only matching passage was already sent' });
  });

  it('on the handoff triggers, before searching', async () => {
    expect(await ask('Can I talk to a human about shipping?')).toMatchObject({ type: 'handoff', why: 'the customer asked for a person (en)' });
  });
});

describe('knowledge responder: small talk', () => {
  it('greets back without handing off', async () => {
    expect(await ask('Hello!')).toEqual({ type: 'reply', text: 'Hello! How can I help you today?', confidence: 1, sources: [], sentiment: 'neutral' });
    expect(await ask('Hola', { session: { language: 'es' } })).toMatchObject({ type: 'reply', text: '¡Hola! ¿En qué puedo ayudarte hoy?' });
  });

  it('says you are welcome to thanks', async () => {
    expect(await ask('Thanks!', { history: [['contact', 'hi'], ['ai', 'Hello!']] })).toMatchObject({ type: 'reply', text: expect.stringContaining("You're welcome") });
  });

  it('resolves when the customer confirms after an answer', async () => {
    const out = await ask('Thanks, that solved it!', { history: [['contact', 'How do I reset my password?'], ['ai', 'To reset your password…']] });
    expect(out).toEqual({ type: 'resolved', text: expect.stringContaining('Glad') });
  });

  it('asks for more when the message says nothing searchable', async () => {
    expect(await ask('I need help please')).toMatchObject({ type: 'reply', text: 'Could you tell me a little more about what you need help with?' });
  });
});

describe('knowledge responder: summarize', () => {
  it('summarizes extractively', async () => {
    const input = turn('Thanks', { history: [['contact', 'Hi there'], ['contact', 'My parcel has not arrived and I want a refund.'], ['ai', 'Sorry!']] });
    const out = await responder.summarize(input, signal());
    expect(out.summary).toBe('My parcel has not arrived and I want a refund.');
    expect(out.topics).toEqual(expect.arrayContaining(['refund', 'parcel']));
  });

  it('respects an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(responder.respond(turn('How long does shipping take?'), controller.signal)).rejects.toThrow('stop');
    expect(KNOWLEDGE).toHaveLength(4);
  });
});
