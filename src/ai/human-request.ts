import { fold } from './text.ts';

// "The customer asks for a person, in plain words, in several languages." No library knows this intent, so these are
// phrase patterns, matched on folded text (lowercase, no accents: "à"/"a", "ü"/"u" alike). Each pattern needs a
// verb of talking plus a person, or an explicit "real person"/"agent please"; a person word alone is not enough,
// so "I am a human resources manager" or "the agent told me yesterday" stay with the AI.

const A = String.raw`(?:a|an|the|some|one|your|a real|a live|an actual|a real live)?\s*`;

const PATTERNS: Record<string, RegExp[]> = {
  en: [
    new RegExp(String.raw`\b(?:talk|speak|chat|get through|be put through)\s+(?:to|with)\s+${A}(?:human(?!\s+resources)|person|people|agent|representative|rep|operator|someone|somebody|staff|employee|customer service|support (?:agent|person|team))\b`),
    /\b(?:real|live|actual)\s+(?:human|person|people|agent|operator|representative)\b/,
    /\bhuman (?:agent|operator|support|please)\b/,
    /\b(?:agent|human|representative|operator)\s*,?\s*(?:please|pls|plz)\b/,
    /\b(?:connect|transfer|put)\s+me\s+(?:to|with|through to)\s+(?:a|an|the|your|some)?\s*(?:human|person|agent|representative|operator|someone|manager|supervisor)\b/,
    /\b(?:i|we)\s+(?:want|need|would like|demand)\s+(?:a|an|to (?:talk|speak) to an?)\s+(?:human|person|agent|representative|operator|manager|supervisor)\b/,
    /^\s*(?:human|agent|representative|operator)\s*[!.?]*\s*$/,
  ],
  es: [
    /\b(?:hablar|comunicarme|conversar|contactar)\s+con\s+(?:un|una|el|la|algun|alguna)?\s*(?:persona|humano|agente|asesor|asesora|operador|operadora|representante|alguien|ser humano|empleado)\b/,
    /\b(?:persona|agente|operador) (?:real|humano|humana|de verdad)\b/,
    /\b(?:quiero|necesito|pasame|paseme|comuniqueme)\s+(?:con\s+)?(?:un|una)\s+(?:agente|humano|asesor|operador|persona)\b/,
  ],
  fr: [
    /\bparler\s+(?:a|avec)\s+(?:(?:un|une|le|la|un vrai|une vraie)\s+)?(?:humain|personne|agent|conseiller|conseillere|operateur|operatrice|etre humain|employe)\b/,
    /\bparler\s+(?:a|avec)\s+quelqu'?\s?un\b/,
    /\b(?:vraie personne|vrai humain|etre humain|conseiller humain|agent humain)\b/,
    /\b(?:je veux|je voudrais|je souhaite)\s+(?:un|une)\s+(?:humain|conseiller|agent|operateur|personne)\b/,
  ],
  de: [
    /\b(?:mit|zu)\s+(?:einem|einer|einen|jemandem|dem|der|ihrem|ihrer)\s+(?:echten\s+|richtigen\s+)?(?:menschen|mensch|mitarbeiter|mitarbeiterin|person|berater|beraterin|agenten|kundenberater|support)\b(?:\s+\w+){0,3}\s+(?:sprechen|reden|verbinden|chatten|schreiben)\b/,
    /\b(?:echten|richtigen|echte|richtige|echter)\s+(?:menschen|mensch|person|mitarbeiter)\b/,
    /\b(?:ich (?:will|mochte|brauche))\s+(?:einen|eine)\s+(?:menschen|mitarbeiter|mitarbeiterin|berater|beraterin)\b/,
    /\b(?:mitarbeiter|mensch|berater)\s*,?\s*bitte\b/,
  ],
  pt: [
    /\b(?:falar|conversar)\s+com\s+(?:um|uma|o|a|algum|alguma)?\s*(?:atendente|humano|pessoa|agente|operador|operadora|representante|alguem|ser humano|funcionario)\b/,
    /\b(?:pessoa|atendente|agente) (?:real|humano|humana|de verdade)\b/,
    /\b(?:quero|preciso de)\s+(?:um|uma)\s+(?:atendente|humano|agente|pessoa)\b/,
  ],
  it: [
    /\bparlare\s+con\s+(?:un|una|un'|qualche|l'|il|la)?\s*(?:operatore|operatrice|persona|umano|agente|consulente|essere umano|qualcuno|addetto)\b/,
    /\b(?:persona|operatore) (?:reale|vera|umano|in carne e ossa)\b/,
    /\b(?:voglio|vorrei)\s+(?:un|una)\s+(?:operatore|operatrice|persona|umano|agente)\b/,
  ],
  nl: [
    /\b(?:spreken|praten|chatten)\s+met\s+(?:(?:een|de|een echte|een echt)\s+)?(?:medewerker|mens|persoon|agent)\b/,
    /\b(?:spreken|praten|chatten)\s+met\s+iemand\b/,
    /\bmet\s+(?:een|de)\s+(?:echte\s+)?(?:medewerker|mens|persoon|agent)\s+(?:spreken|praten|chatten)\b/,
    /\b(?:echte persoon|echt persoon|echte mens|echt mens|menselijke medewerker)\b/,
    /\b(?:ik wil|ik zou graag)\s+(?:een|iemand)\s+(?:medewerker|mens|persoon)\b/,
  ],
};

/** The language whose pattern matched, or null when the customer did not ask for a person. */
export function asksForHuman(text: string): string | null {
  const folded = fold(text).replace(/[’`]/g, "'");
  for (const [lang, patterns] of Object.entries(PATTERNS)) {
    if (patterns.some((p) => p.test(folded))) return lang;
  }
  return null;
}
