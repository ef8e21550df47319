import type { ParsedMail } from 'mailparser';
import { headerValue } from './headers.ts';

// Problems mailparser silently tolerates but an agent should know about (protocols.md §5 "Malformed"): the mail is
// still parsed and stored; the flags travel with it.

const HEAD_SCAN_BYTES = 256 * 1024;

function headerBlock(raw: Uint8Array): Buffer {
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, HEAD_SCAN_BYTES));
  const end = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n');
  return end >= 0 ? head.subarray(0, end) : head;
}

export function mimeFlags(raw: Uint8Array, parsed: ParsedMail): string[] {
  const flags: string[] = [];
  const contentType = headerValue(parsed.headerLines, 'content-type') ?? '';
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  if (/^\s*multipart\//i.test(contentType)) {
    const delimiter = boundary ? `--${boundary[1] ?? boundary[2]}--` : undefined;
    // A missing closing delimiter means a truncated or broken mail: parts may be missing.
    if (!delimiter || Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).indexOf(delimiter) < 0) flags.push('malformed_mime');
  }
  if (headerBlock(raw).some((b) => b >= 0x80)) flags.push('raw_8bit_headers');
  if (!parsed.messageId) flags.push('missing_message_id');
  if (!parsed.date) flags.push('missing_date');
  return flags;
}
