// Markdown (what the AI and agents write) → Slack mrkdwn (https://api.slack.com/reference/surfaces/formatting). Slack
// has its own dialect: *bold*, _italic_, ~strike~, <url|label> links, no headings and no list syntax. Code is left as
// written (no formatting conversion inside spans or fences). `&`, `<` and `>` are escaped everywhere, code included —
// Slack decodes the entities in code too, and a raw `<!channel>` or `<@U…>` in a reply must not ping anyone. Only the
// link sequences we build ourselves keep their angle brackets.

/** Private-use marks for pieces already rendered (links, code) and for bold, which mrkdwn writes as `*`. */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const BOLD = '\uE002';

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Inside `<url|…>` a `|` would end the URL; `&` is still an entity. */
const escapeUrl = (url: string) => url.replace(/&/g, '&amp;').replace(/\|/g, '%7C');
const stripMarks = (s: string) => s.replace(/\*\*|__|`/g, '');

function link(url: string, label: string): string {
  if (!/^(https?:|mailto:)/i.test(url)) return label ? `${escapeText(label)} (${escapeText(url)})` : escapeText(url);
  const text = stripMarks(label).trim();
  return text && text !== url ? `<${escapeUrl(url)}|${escapeText(text)}>` : `<${escapeUrl(url)}>`;
}

function inline(line: string): string {
  const kept: string[] = [];
  const keep = (rendered: string) => `${OPEN}${kept.push(rendered) - 1}${CLOSE}`;
  let s = line
    .replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (code: string) => keep(escapeText(code)))
    .replace(/\\([\\`*_~[\]()#+\-.!>])/g, (_, ch: string) => keep(escapeText(ch)))
    .replace(
      /!?\[([^\]\n]*)\]\(\s*<?([^\s()<>]+(?:\([^\s()<>]*\)[^\s()<>]*)*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
      (_, label: string, url: string) => keep(link(url, label)),
    )
    .replace(/<((?:https?|mailto):[^\s<>]+)>/gi, (_, url: string) => keep(`<${escapeUrl(url)}>`));
  s = s
    .replace(/\*\*\*(?=\S)(.*?\S)\*\*\*/g, `${BOLD}_$1_${BOLD}`)
    .replace(/\*\*(?=\S)(.*?\S)\*\*/g, `${BOLD}$1${BOLD}`)
    .replace(/(^|[^\p{L}\p{N}_])__(?=\S)(.*?\S)__(?![\p{L}\p{N}_])/gu, `$1${BOLD}$2${BOLD}`)
    .replace(/~~(?=\S)(.*?\S)~~/g, '~$1~')
    .replace(/(^|[^\p{L}\p{N}*])\*(?=[^\s*])(.*?[^\s*])\*(?![\p{L}\p{N}*])/gu, '$1_$2_')
    .replaceAll(BOLD, '*');
  return escapeText(s).replace(new RegExp(`${OPEN}(\\d+)${CLOSE}`, 'g'), (_, i: string) => kept[Number(i)] ?? '');
}

const HEADING = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;
const RULE = /^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/;
const BULLET = /^(\s*)[-*+]\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;

function convertLine(line: string): string {
  const heading = HEADING.exec(line);
  if (heading) return heading[1] ? `*${inline(stripMarks(heading[1]))}*` : '';
  if (RULE.test(line)) return escapeText(line);
  const bullet = BULLET.exec(line);
  if (bullet) return `${bullet[1]}• ${inline(bullet[2] ?? '')}`;
  // Slack quotes with a leading `>` too: kept raw (every other `>` is escaped).
  const quote = QUOTE.exec(line);
  if (quote) return `> ${convertLine(quote[1] ?? '')}`.trimEnd();
  return inline(line);
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;

export function toMrkdwn(markdown: string): string {
  const out: string[] = [];
  /** The opening fence while inside a fenced block. */
  let fence: string | undefined;
  for (const line of markdown.replace(/\r\n?/g, '\n').replace(/[\uE000-\uE002]/g, '').split('\n')) {
    const marker = FENCE.exec(line)?.[1];
    if (fence) {
      const closes = marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker;
      if (closes) fence = undefined;
      out.push(closes ? '```' : escapeText(line));
    } else if (marker) {
      // Slack shows an info string (```ts) as the first code line: dropped. ~~~ fences become ```.
      fence = marker;
      out.push('```');
    } else {
      out.push(convertLine(line));
    }
  }
  if (fence) out.push('```');
  return out.join('\n');
}
