import type { Attachment } from 'mailparser';

// Inline images (`<img src="cid:…">`) would otherwise be broken in the agent's view. mailparser can inline them all
// as data: URIs, but a 10 MB photo would then sit in the stored HTML besides its attachment copy; only small ones
// are inlined, the rest stay reachable as attachments (named after their Content-ID).

const MAX_INLINE_IMAGE_BYTES = 256 * 1024;
const MAX_INLINE_TOTAL_BYTES = 1024 * 1024;
const INLINE_TYPES = /^image\/(png|jpe?g|gif|webp|bmp)$/i;

export function inlineCidImages(html: string, parts: Attachment[]): string {
  const byCid = new Map<string, Attachment>();
  for (const part of parts) {
    const cid = part.contentId?.replace(/^<|>$/g, '').trim().toLowerCase();
    if (cid) byCid.set(cid, part);
  }
  let budget = MAX_INLINE_TOTAL_BYTES;
  return html.replace(/(["'])cid:([^"']+)\1/gi, (match, quote: string, id: string) => {
    let cid = id.trim();
    try {
      cid = decodeURIComponent(cid);
    } catch {
      // a stray % in a Content-ID: match it as written
    }
    const part = byCid.get(cid.toLowerCase());
    if (!part || !INLINE_TYPES.test(part.contentType)) return match;
    const size = part.content.byteLength;
    if (size > MAX_INLINE_IMAGE_BYTES || size > budget) return match;
    budget -= size;
    return `${quote}data:${part.contentType.toLowerCase()};base64,${part.content.toString('base64')}${quote}`;
  });
}
