import { describe, expect, it } from 'vitest';
import { classifySmallTalk, smallTalkReply } from '../../../src/ai/small-talk.ts';

// Greetings, thanks and "that solved it" are not questions: they are answered in kind or close the session.

const after = { afterAiReply: true };
const before = { afterAiReply: false };

describe('classifySmallTalk', () => {
  it.each(['Hi', 'hello there!', 'Good morning', 'Hola', 'Bonjour', 'Guten Tag', 'Olá', 'Buongiorno', 'Hoi', 'Hi Anna'])('greeting: %s', (text) => {
    expect(classifySmallTalk(text, after)).toBe('greeting');
  });

  it.each(['Thanks!', 'thank you so much', 'Perfect, thanks', 'Muchas gracias', 'Merci beaucoup', 'Vielen Dank', 'Obrigado', 'Grazie mille', 'Bedankt'])(
    'thanks: %s',
    (text) => {
      expect(classifySmallTalk(text, after)).toBe('thanks');
    },
  );

  it.each([
    'Thanks, that solved it!',
    'problem solved, thank you',
    "That's all, thanks",
    "that’s all",
    'Gracias, eso es todo',
    "Merci, c'est tout",
    'Danke, das Problem gelöst',
    'Obrigado, problema resolvido',
    'Grazie, risolto',
    'Bedankt, het werkt',
  ])('resolved: %s', (text) => {
    expect(classifySmallTalk(text, after)).toBe('resolved');
  });

  it('does not resolve before the AI has answered anything', () => {
    expect(classifySmallTalk("That's all", before)).toBe('thanks');
  });

  it.each(['Thanks, but that did not solve it', 'still not solved', 'no funciona todavía, gracias', 'es ist noch nicht gelöst', 'nog niet opgelost'])(
    'a negation is not a confirmation: %s',
    (text) => {
      expect(classifySmallTalk(text, after)).not.toBe('resolved');
    },
  );

  it.each(['Hi, how long does shipping take?', 'Thanks, but how do I return it?', 'How do I reset my password?'])('a question is not small talk: %s', (text) => {
    expect(classifySmallTalk(text, after)).toBeNull();
  });
});

describe('smallTalkReply', () => {
  it('answers in the customer language', () => {
    expect(smallTalkReply('greeting', 'es')).toBe('¡Hola! ¿En qué puedo ayudarte hoy?');
    expect(smallTalkReply('thanks', 'de')).toContain('Gern geschehen');
  });
});
