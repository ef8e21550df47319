import type { ParsedMail } from 'mailparser';
import { headerValue } from './headers.ts';

// Problems mailparser silently tolerates but an agent should know about (docs/email.md "Content"): the mail is
// still parsed and stored; the flags travel with it. Header lines are checked on the raw bytes, since mailparser
// turns a line without a colon (or a body with no blank line before it) into headers nobody sees.

const HEAD_SCAN_BYTES = 256 * 1024;

interface HeaderBlock {
  bytes: Buffer;
  /** Whether a blank line ends the header block (else the whole mail read as headers). */
  terminated: boolean;
  /** Byte offset of the first line that is neither `Name: value` nor a continuation. */
  firstInvalid?: number;
}

export function readHeaderBlock(raw: Uint8Array): HeaderBlock {
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, HEAD_SCAN_BYTES));
  const crlf = head.indexOf('\r\n\r\n');
  const lf = head.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
  const bytes = end >= 0 ? head.subarray(0, end) : head;
  let offset = 0;
  let firstInvalid: number | undefined;
  for (const line of bytes.toString('latin1').split('\n')) {
    const text = line.replace(/\r$/, '');
    const continuation = offset > 0 && /^[ \t]/.test(text);
    // Field names are printable ASCII without the colon (RFC 5322 §2.2); an mbox "From " line may lead.
    const valid = continuation || /^[!-9;-~]+[ \t]*:/.test(text) || (offset === 0 && text.startsWith('From '));
    if (!valid && text !== '' && firstInvalid === undefined) firstInvalid = offset;
    offset += line.length + 1;
  }
  return { bytes, terminated: end >= 0, ...(firstInvalid !== undefined ? { firstInvalid } : {}) };
}

export function mimeFlags(raw: Uint8Array, parsed: ParsedMail, block: HeaderBlock): string[] {
  const flags: string[] = [];
  const contentType = headerValue(parsed.headerLines, 'content-type') ?? '';
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  if (/^\s*multipart\//i.test(contentType)) {
    const delimiter = boundary ? `--${boundary[1] ?? boundary[2]}--` : undefined;
    // A missing closing delimiter means a truncated or broken mail: parts may be missing.
    if (!delimiter || Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).indexOf(delimiter) < 0) flags.push('malformed_mime');
  }
  if (block.firstInvalid !== undefined) flags.push('malformed_mime');
  if (block.bytes.some((b) => b >= 0x80)) flags.push('raw_8bit_headers');
  if (!parsed.messageId) flags.push('missing_message_id');
  if (!parsed.date) flags.push('missing_date');
  return flags;
}

/**
 * The body of a mail whose header block never ends (no blank line before the body): from its first line that is
 * not a header to the end, as text. Undefined when the header block is sound.
 */
export function strayBody(block: HeaderBlock): string | undefined {
  if (block.terminated || block.firstInvalid === undefined) return undefined;
  const bytes = block.bytes.subarray(block.firstInvalid);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}
