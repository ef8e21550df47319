import type { Attachment } from 'mailparser';
import type { AttachmentRef } from '../../src/domain/model/messages.ts';
import { isDsnMachinePart } from './bounce.ts';

// Inbound attachments travel inline (base64) to core, which stores them in the blob store. The per-message cap is
// enforced here, before base64 makes a second, larger copy of every byte.

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/bmp': 'bmp',
  'application/pdf': 'pdf', 'text/plain': 'txt', 'text/html': 'html', 'text/calendar': 'ics', 'message/rfc822': 'eml',
};

/** A filename safe to show and store: no path, no control characters, bounded. */
function safeName(name: string): string {
  const base = name.replace(/[\u0000-\u001f\u007f]/g, '').split(/[\\/]/).pop()!.trim();
  return base.slice(0, 200) || 'attachment';
}

/** The name to show: the sender's, else one made from the inline image's Content-ID, else a numbered one. */
export function attachmentName(a: Attachment, index: number): string {
  if (a.filename) return safeName(a.filename);
  const ext = EXTENSIONS[a.contentType.toLowerCase()] ?? 'bin';
  const cid = a.contentId?.replace(/^<|>$/g, '');
  return safeName(cid ? `inline-${cid}.${ext}` : `attachment-${index + 1}.${ext}`);
}

export interface InboundAttachments {
  attachments: AttachmentRef[];
  flags: string[];
}

export function collectAttachments(parts: Attachment[], maxBytes: number, isBounce: boolean): InboundAttachments {
  const attachments: AttachmentRef[] = [];
  const flags: string[] = [];
  let total = 0;
  parts.forEach((part, index) => {
    if (isBounce && isDsnMachinePart(part.contentType)) return;
    const filename = attachmentName(part, index);
    const size = part.content.byteLength;
    if (total + size > maxBytes) {
      flags.push(`attachment_too_large:${filename}`);
      return;
    }
    total += size;
    attachments.push({ filename, contentType: part.contentType.toLowerCase(), size, base64: part.content.toString('base64') });
  });
  return { attachments, flags };
}
