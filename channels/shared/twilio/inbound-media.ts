import type { AttachmentRef } from '../../../src/domain/model/messages.ts';
import { param } from './signature.ts';

// MediaUrl{N} / MediaContentType{N}: Twilio sends no filenames, so we name each file after its Media SID (the last
// path segment, `ME…`) plus an extension for its type. The bytes stay at Twilio until core fetches them.

const MAX_MEDIA = 10;

const EXTENSIONS: ReadonlyMap<string, string> = new Map([
  ['image/jpeg', 'jpg'],
  ['image/jpg', 'jpg'],
  ['image/png', 'png'],
  ['image/gif', 'gif'],
  ['image/webp', 'webp'],
  ['image/heic', 'heic'],
  ['image/bmp', 'bmp'],
  ['audio/ogg', 'ogg'],
  ['audio/mpeg', 'mp3'],
  ['audio/mp4', 'm4a'],
  ['audio/aac', 'aac'],
  ['audio/amr', 'amr'],
  ['audio/wav', 'wav'],
  ['video/mp4', 'mp4'],
  ['video/3gpp', '3gp'],
  ['video/quicktime', 'mov'],
  ['application/pdf', 'pdf'],
  ['application/zip', 'zip'],
  ['application/msword', 'doc'],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
  ['application/vnd.ms-excel', 'xls'],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
  ['text/plain', 'txt'],
  ['text/csv', 'csv'],
  ['text/vcard', 'vcf'],
  ['text/x-vcard', 'vcf'],
  ['text/calendar', 'ics'],
]);

export function extensionFor(contentType: string): string {
  const bare = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return EXTENSIONS.get(bare) ?? 'bin';
}

function mediaSid(url: string, index: number): string {
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop();
    if (last && /^[A-Za-z0-9_-]{1,64}$/.test(last)) return last;
  } catch {
    // Not a URL: fall through to a positional name; the fetch will refuse it anyway.
  }
  return `media-${index}`;
}

export function inboundAttachments(params: Record<string, string | string[]>): AttachmentRef[] {
  const count = Math.min(Number.parseInt(param(params, 'NumMedia'), 10) || 0, MAX_MEDIA);
  const attachments: AttachmentRef[] = [];
  for (let n = 0; n < count; n++) {
    const url = param(params, `MediaUrl${n}`);
    if (!url) continue;
    const contentType = param(params, `MediaContentType${n}`) || 'application/octet-stream';
    attachments.push({ filename: `${mediaSid(url, n)}.${extensionFor(contentType)}`, contentType, url });
  }
  return attachments;
}
