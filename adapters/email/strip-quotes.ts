import EmailReplyParser from 'email-reply-parser';

// A reply's new text, without the quoted history and the signature (protocols.md §5). email-reply-parser knows the
// common quote headers and `>` blocks; the markers below cover what it misses or only catches on one line (Gmail
// wraps "On … wrote:" over two lines, Outlook's header block has no <address>, localized clients).

/** email-reply-parser runs plain RegExps when re2 is absent: bound the input so a crafted mail cannot stall us. */
export const MAX_STRIP_INPUT = 100 * 1024;

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
  const bounded = full.length > MAX_STRIP_INPUT ? full.slice(0, MAX_STRIP_INPUT) : full;
  let lines = bounded.split('\n');
  const quote = quoteStart(lines);
  if (quote >= 0) lines = lines.slice(0, quote);
  let visible: string;
  try {
    visible = new EmailReplyParser().read(lines.join('\n')).getVisibleText();
  } catch {
    visible = lines.join('\n');
  }
  lines = visible.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  const signature = signatureStart(lines);
  if (signature > 0) lines = lines.slice(0, signature);
  const result = lines.join('\n').trim();
  return result || full.trim();
}
