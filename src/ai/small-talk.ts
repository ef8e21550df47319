import type { Language } from './language.ts';
import { fold, words } from './text.ts';

// Messages that are not questions: a greeting, a thank-you, or the customer confirming the issue is solved. The
// knowledge responder must not search the FAQ for "hi" (and hand off for low confidence); a confirmation closes the
// session as resolved by the AI (Open's `ai_resolved_issue`). Phrases in the seven supported languages, matched on
// folded text; the whole message must be small talk (at most one other word, e.g. a name), so "thanks, but how do
// I return it?" is still a question.

export type SmallTalk = 'greeting' | 'thanks' | 'resolved';

const GREETINGS = [
  'hi', 'hello', 'hey', 'hiya', 'good morning', 'good afternoon', 'good evening', 'hi there', 'hello there',
  'hola', 'buenos dias', 'buenas tardes', 'buenas noches', 'buenas', 'bonjour', 'bonsoir', 'salut', 'coucou',
  'hallo', 'guten morgen', 'guten tag', 'guten abend', 'servus', 'moin', 'gruss gott', 'ola', 'oi', 'bom dia',
  'boa tarde', 'boa noite', 'ciao', 'salve', 'buongiorno', 'buonasera', 'hoi', 'goedemorgen', 'goedemiddag',
  'goedenavond', 'dag',
];
const THANKS = [
  'thanks', 'thank you', 'thanks a lot', 'thank you very much', 'thank you so much', 'many thanks', 'thx', 'ty',
  'cheers', 'gracias', 'muchas gracias', 'mil gracias', 'merci', 'merci beaucoup', 'danke', 'danke schon',
  'vielen dank', 'dankeschon', 'obrigado', 'obrigada', 'muito obrigado', 'muito obrigada', 'grazie',
  'grazie mille', 'dank je', 'dank je wel', 'dank u', 'dank u wel', 'bedankt', 'dankjewel',
];
const RESOLVED = [
  'that solved it', 'that solves it', 'that fixed it', 'that worked', 'it worked', 'it works now', 'works now',
  'problem solved', 'issue solved', 'issue resolved', 'problem resolved', 'solved', 'resolved', 'all sorted',
  'sorted', "that's all", 'thats all', 'that is all', "that's everything", 'all good', 'all set',
  'no more questions', 'nothing else', 'eso es todo', 'es todo', 'problema resuelto', 'resuelto', 'solucionado',
  'ya funciona', 'funciono', "c'est tout", 'probleme resolu', 'resolu', 'regle', 'ca marche', 'ca fonctionne',
  "das war's", 'das wars', 'das ist alles', 'problem gelost', 'gelost', 'erledigt', 'es funktioniert',
  'funktioniert jetzt', 'e so isso', 'so isso', 'problema resolvido', 'resolvido', 'funcionou', 'e tutto',
  'problema risolto', 'risolto', 'funziona', 'ora funziona', 'dat was het', 'dat is alles', 'probleem opgelost',
  'opgelost', 'het werkt', 'werkt nu',
];
// A negation turns a confirmation into a complaint: "not solved", "it still doesn't work", "no funciona".
const NEGATION = /\b(?:not|no|never|still|yet|n't|dont|doesnt|didnt|isnt|aun|todavia|pas|plus|nicht|kein|keine|noch|nao|ainda|non|ancora|niet|geen|nog)\b|n't\b/;

const pattern = (phrases: string[]) =>
  new RegExp(String.raw`(?:^|[^\p{L}'])(?:${phrases.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((a, b) => b.length - a.length).join('|')})(?=$|[^\p{L}'])`, 'gu');
const GREETING_RE = pattern(GREETINGS);
const THANKS_RE = pattern(THANKS);
const RESOLVED_RE = pattern(RESOLVED);
const FILLER = /\b(?:so|very|much|really|great|perfect|ok|okay|cool|awesome|thanks|you|again|team|everyone|all|guys|folks)\b/g;

/** What kind of small talk the message is, or null when it carries a question or anything else. */
export function classifySmallTalk(text: string, opts: { afterAiReply: boolean }): SmallTalk | null {
  const folded = fold(text).replace(/[’`]/g, "'");
  // search(), not test(): these regexes are global (for replace) and test() would carry lastIndex across calls.
  const resolved = folded.search(RESOLVED_RE) >= 0 && !NEGATION.test(folded.replace(RESOLVED_RE, ' '));
  const thanks = folded.search(THANKS_RE) >= 0;
  const greeting = folded.search(GREETING_RE) >= 0;
  if (!resolved && !thanks && !greeting) return null;
  const rest = folded.replace(RESOLVED_RE, ' ').replace(THANKS_RE, ' ').replace(GREETING_RE, ' ').replace(FILLER, ' ');
  if (words(rest).length > 1) return null;
  // "That's all" as an opening line resolves nothing: only after the AI has answered does it close the session.
  if (resolved && opts.afterAiReply) return 'resolved';
  return thanks || resolved ? 'thanks' : 'greeting';
}

const REPLIES: Record<'greeting' | 'thanks' | 'resolved' | 'clarify', Record<Language, string>> = {
  greeting: {
    en: 'Hello! How can I help you today?',
    es: '¡Hola! ¿En qué puedo ayudarte hoy?',
    fr: 'Bonjour ! Comment puis-je vous aider ?',
    de: 'Hallo! Wie kann ich Ihnen helfen?',
    pt: 'Olá! Como posso ajudar?',
    it: 'Ciao! Come posso aiutarti?',
    nl: 'Hallo! Waarmee kan ik je helpen?',
  },
  thanks: {
    en: "You're welcome! Is there anything else I can help with?",
    es: '¡De nada! ¿Hay algo más en lo que pueda ayudarte?',
    fr: 'Avec plaisir ! Puis-je vous aider pour autre chose ?',
    de: 'Gern geschehen! Kann ich sonst noch etwas für Sie tun?',
    pt: 'De nada! Posso ajudar com mais alguma coisa?',
    it: 'Prego! Posso aiutarti con qualcos’altro?',
    nl: 'Graag gedaan! Kan ik je nog ergens anders mee helpen?',
  },
  resolved: {
    en: "Glad that's sorted! I'll close this conversation now. Write again any time.",
    es: '¡Me alegro de que esté resuelto! Cierro esta conversación. Escríbenos cuando quieras.',
    fr: 'Ravi que ce soit réglé ! Je clôture cette conversation. Écrivez-nous quand vous voulez.',
    de: 'Schön, dass es gelöst ist! Ich schließe dieses Gespräch. Schreiben Sie uns jederzeit wieder.',
    pt: 'Que bom que está resolvido! Vou encerrar esta conversa. Escreva quando quiser.',
    it: 'Felice che sia risolto! Chiudo questa conversazione. Scrivici quando vuoi.',
    nl: 'Fijn dat het is opgelost! Ik sluit dit gesprek. Schrijf gerust opnieuw.',
  },
  clarify: {
    en: 'Could you tell me a little more about what you need help with?',
    es: '¿Podrías contarme un poco más sobre lo que necesitas?',
    fr: 'Pourriez-vous m’en dire un peu plus sur ce dont vous avez besoin ?',
    de: 'Können Sie mir etwas genauer sagen, wobei Sie Hilfe brauchen?',
    pt: 'Pode me contar um pouco mais sobre o que precisa?',
    it: 'Puoi dirmi qualcosa di più su ciò di cui hai bisogno?',
    nl: 'Kun je iets meer vertellen over waar je hulp bij nodig hebt?',
  },
};

export function smallTalkReply(kind: keyof typeof REPLIES, language: Language): string {
  return REPLIES[kind][language];
}
