// The HTML part of our replies: the reply's markdown-ish text rendered small and safe. Everything is escaped first;
// only paragraphs, line breaks, **bold** and http(s) links are turned into tags.

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** On escaped text: [label](url), bare URLs, **bold**. URLs stop at whitespace and at escaped brackets/quotes. */
const INLINE = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<]+?)(?=[.,;:!?)]*(?:\s|$|&lt;|&gt;|&quot;))|\*\*([^*\n]+)\*\*/g;

const link = (href: string, label: string) => `<a href="${href}" rel="noopener noreferrer" target="_blank">${label}</a>`;

function inline(escaped: string): string {
  return escaped.replace(INLINE, (_m, label?: string, href?: string, bare?: string, bold?: string) => {
    if (label !== undefined && href !== undefined) return link(href, label);
    if (bare !== undefined) return link(bare, bare);
    return `<strong>${bold ?? ''}</strong>`;
  });
}

export function markdownToHtml(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${p.split('\n').map((line) => inline(escapeHtml(line))).join('<br>\n')}</p>`);
  return `<!doctype html><html><body><div dir="auto">\n${paragraphs.join('\n')}\n</div></body></html>`;
}
