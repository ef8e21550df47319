import EmailReplyParser from 'email-reply-parser';

// A reply's new text, without the quoted history and the signature (docs/email.md "Content"). email-reply-parser
// knows the common quote headers and `>` blocks; the markers below cover what it misses or only catches on one line
// (Gmail wraps "On … wrote:" over two lines, Outlook's header block has no <address>, localized clients).

/** We look at most at this much of a mail's text for its new part. */
export const MAX_STRIP_INPUT = 100 * 1024;

/**
 * email-reply-parser runs plain RegExps when its optional re2 is absent (it is here), and some of them backtrack
 * quadratically or worse: 90 KB of blank lines took minutes, a 100 KB line seconds, 32 KB of `abc. skrev x` lines
 * (a Danish header pattern with two `[\s\S]+`) close to a minute. So it only sees a skeleton of the text: long lines
 * (prose, never a header or signature line) replaced by placeholders and put back afterwards, bounded in size, and
 * not the few line shapes that feed its cubic patterns; anything else gets our markers and a plain `>` filter.
 */
const PARSER_MAX_CHARS = 16 * 1024;
const PARSER_MAX_LINE = 160;
const CUBIC_STARTS = /^\s*([a-z]{3,4}\.\s|Op\s)/gim;
const MAX_CUBIC_STARTS = 5;
const PLACEHOLDER = /\uE000(\d+)\uE001/g;

/**
 * The parser also takes sign-offs ("Regards,", "Cheers", "Cordialement", "Bonne journée") for signatures and hides
 * everything below them: the sender's name, and a P.S. with a new phone number. A sign-off is part of what the
 * customer wrote, so the parser never sees those lines (they go through as placeholders like long lines).
 */
const SIGN_OFF = /^\s*(\S{0,20}\s?(\sand\s)?regards|cheers|best wishes|\S{0,20}\s?cordialement|bien . vous|bonne (journ.e|soir.e))\s*[,!！.]*\s*$/i;

/** The text with long lines and sign-offs swapped for placeholders (keeping a `>` quote mark), and the lines to put back. */
function skeleton(lines: string[]): { text: string; long: string[] } {
  const long: string[] = [];
  const text = lines
    .map((line) => {
      if (line.length <= PARSER_MAX_LINE && !SIGN_OFF.test(line)) return line.replace(PLACEHOLDER, '');
      long.push(line);
      return `${/^\s*>/.test(line) ? '> ' : ''}\uE000${long.length - 1}\uE001`;
    })
    .join('\n');
  return { text, long };
}

function parserSafe(text: string): boolean {
  return text.length <= PARSER_MAX_CHARS && (text.match(CUBIC_STARTS)?.length ?? 0) <= MAX_CUBIC_STARTS;
}

/** Trailing spaces off, runs of blank lines down to one: nothing a reader sees, much less for regexes to chew. */
function normalizeLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[ \t\u00a0]+$/, '');
    if (line === '' && out.length && out[out.length - 1] === '') continue;
    out.push(line);
  }
  return out;
}

function visibleText(lines: string[]): string {
  const { text, long } = skeleton(lines);
  if (parserSafe(text)) {
    try {
      return new EmailReplyParser().read(text).getVisibleText().replace(PLACEHOLDER, (_m, i: string) => long[Number(i)] ?? '');
    } catch {
      // fall through to the plain filter
    }
  }
  return lines.filter((l) => !/^\s*>/.test(l)).join('\n');
}

/** A line (or two joined lines) that opens the quoted history: everything from it on is history. */
const QUOTE_HEADERS: RegExp[] = [
  /^On\b.{0,300}\bwrote:\s*$/i,
  /^Le\b.{0,300}\ba écrit\s*:\s*$/i,
  /^El\b.{0,300}\bescribió\s*:\s*$/i,
  /^Il\b.{0,300}\bha scritto\s*:\s*$/i,
  /^Em\b.{0,300}\bescreveu\s*:\s*$/i,
  /^Am\b.{0,300}\bschrieb\b.{0,300}:\s*$/i,
  /^Op\b.{0,300}\bschreef\b.{0,300}:\s*$/i,
  /^(W dniu|Dnia)\b.{0,300}\b(pisze|napisał\(a\)|napisał|napisała)\s*:\s*$/i,
  /^Den\b.{0,300}\bskrev\b.{0,300}:\s*$/i,
  /^.{1,300}\bkirjoitti\s*:\s*$/i,
  /^在.{1,300}写道[：:]\s*$/,
  /^.{1,300}のメッセージ[：:]\s*$/,
  /^.{1,300}작성[：:]\s*$/,
  /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht|Oprindelig besked)\s*-{2,}\s*$/i,
  /^-{2,}\s*(Forwarded message|Weitergeleitete Nachricht|Message transféré)\s*-{2,}\s*$/i,
  /^_{10,}\s*$/,
];

/** Outlook's header block: a From: line followed shortly by Sent:/Date:/To:/Subject: (and their translations). */
const BLOCK_FROM = /^\s*\*?(From|Von|De|Van|Da|Från|Fra|Od|Lähettäjä)\s*:\*?\s*\S/i;
const BLOCK_NEXT = /^\s*\*?(Sent|Date|To|Subject|Gesendet|Datum|An|Betreff|Envoyé|Date|À|Objet|Enviado|Para|Asunto|Verzonden|Aan|Onderwerp|Inviato|A|Oggetto|Skickat|Till|Ämne|Sendt|Til|Emne|Wysłano|Do|Temat)\s*:/i;

/** Mobile and webmail footers: cut from the line on when it sits near the end. */
const SIGNATURE_FOOTERS = [
  /^Sent from my \S.*$/i,
  /^Sent from (Mail|Outlook|Yahoo Mail|Gmail)\b.*$/i,
  /^Get Outlook for (iOS|Android)\b.*$/i,
  /^Envoyé de mon \S.*$/i,
  /^Von meinem \S.* gesendet$/i,
  /^Enviado desde mi \S.*$/i,
];

/** The index of the first line that opens quoted history, or -1. */
function quoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const joined = i + 1 < lines.length ? `${line} ${lines[i + 1]!.trim()}` : line;
    if (QUOTE_HEADERS.some((re) => re.test(line) || (line.length < 300 && re.test(joined)))) return i;
    if (BLOCK_FROM.test(line)) {
      const next = lines.slice(i + 1, i + 5).filter((l) => l.trim());
      if (next.filter((l) => BLOCK_NEXT.test(l)).length >= 2) return i;
    }
  }
  return -1;
}

/** The index of the signature's first line (RFC 3676 `-- `, or a mobile footer in the last lines), or -1. */
function signatureStart(lines: string[]): number {
  const dashes = lines.findIndex((l, i) => i > 0 && /^--\s?$/.test(l));
  if (dashes > 0) return dashes;
  const tail = Math.max(1, lines.length - 4);
  for (let i = tail; i < lines.length; i++) {
    if (SIGNATURE_FOOTERS.some((re) => re.test(lines[i]!.trim()))) return i;
  }
  return -1;
}

/** The new text of a plain-text reply; the full text when stripping would leave nothing. */
export function stripQuotedText(text: string): string {
  const full = text.replace(/\r\n?/g, '\n');
  let lines = normalizeLines(full.length > MAX_STRIP_INPUT ? full.slice(0, MAX_STRIP_INPUT) : full);
  const quote = quoteStart(lines);
  if (quote >= 0) lines = lines.slice(0, quote);
  lines = visibleText(lines).replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  const signature = signatureStart(lines);
  if (signature > 0) lines = lines.slice(0, signature);
  const result = lines.join('\n').trim();
  return result || full.trim();
}
