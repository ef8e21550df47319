import sanitizeHtml from 'sanitize-html';

// Mail HTML is hostile input shown to agents: it is only ever kept sanitized. The same parser (htmlparser2, through
// sanitize-html) also turns HTML-only mail into text, after dropping the clients' quote containers.

/** Decoded HTML longer than this is not parsed (mailparser's html-to-text and ours are linear, but memory is not free). */
export const MAX_HTML_CHARS = 2 * 1024 * 1024;

const BLOCK_TAGS = [
  'p', 'div', 'br', 'li', 'tr', 'td', 'th', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'hr', 'ul', 'ol', 'section', 'article',
];

const classes = (attribs: Record<string, string>) => (attribs.class ?? '').toLowerCase().split(/\s+/);

/** Gmail, Apple Mail, Thunderbird, Yahoo and Outlook wrap the quoted history in these. */
function isQuoteContainer(tag: string, attribs: Record<string, string>): boolean {
  const id = (attribs.id ?? '').toLowerCase();
  if (tag === 'blockquote' && (attribs.type ?? '').toLowerCase() === 'cite') return true;
  if ((tag === 'div' || tag === 'blockquote') && classes(attribs).includes('gmail_quote')) return true;
  if (tag === 'div' && (classes(attribs).includes('moz-cite-prefix') || classes(attribs).includes('yahoo_quoted'))) return true;
  return tag === 'div' && (id === 'appendonsend' || id === 'divrplyfwdmsg');
}

/** Outlook puts the quoted message after these markers as siblings, not inside them: cut the HTML there. */
const OUTLOOK_CUT = /<div\b[^>]*\bid\s*=\s*["']?(divRplyFwdMsg|appendonsend)\b/i;

const unescape = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The visible text of an HTML mail, quote containers removed, block elements as line breaks. */
export function htmlToNewText(html: string, dropQuotes = true): string {
  let source = html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html;
  if (dropQuotes) {
    const cut = OUTLOOK_CUT.exec(source);
    if (cut) source = source.slice(0, cut.index);
  }
  const marked = sanitizeHtml(source, {
    allowedTags: BLOCK_TAGS,
    allowedAttributes: {},
    nonTextTags: ['style', 'script', 'textarea', 'option', 'noscript', 'head', 'title', 'template'],
    exclusiveFilter: (frame) => dropQuotes && isQuoteContainer(frame.tag, frame.attribs),
  });
  const text = marked
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/li>/gi, '')
    // Table cells of a row stay on one line, apart.
    .replace(/<(t[dh]|\/tr)>/gi, '')
    .replace(/<\/t[dh]>/gi, '\t')
    .replace(/<li>/gi, '\n- ')
    .replace(/<\/?([a-z0-9]+)[^>]*>/gi, '\n')
    .replace(/\u00a0/g, ' ');
  return unescape(text)
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Safe HTML for agents' eyes: no active content, no external-protocol surprises, links open apart. */
export function sanitizeMailHtml(html: string): string {
  const source = html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html;
  return sanitizeHtml(source, {
    allowedTags: [
      ...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'style'),
      'img', 'span', 'font', 'center', 'u', 's', 'strike', 'del', 'ins', 'small', 'big', 'sub', 'sup',
    ],
    allowedAttributes: {
      a: ['href', 'name', 'title', 'rel', 'target'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      td: ['colspan', 'rowspan', 'align', 'valign', 'width'],
      th: ['colspan', 'rowspan', 'align', 'valign', 'width'],
      table: ['width', 'cellpadding', 'cellspacing', 'border'],
      font: ['color', 'size', 'face'],
      '*': ['dir', 'lang', 'align'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    // data: only for images (the cid: parts we inline); never for links, where it would be a script vector.
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: ['style', 'script', 'textarea', 'option', 'noscript', 'head', 'title', 'template'],
    exclusiveFilter: (frame) => frame.tag === 'img' && /^data:/i.test(frame.attribs.src ?? '') && !/^data:image\/(png|jpe?g|gif|webp|bmp);/i.test(frame.attribs.src ?? ''),
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer', target: '_blank' } }),
    },
  });
}
