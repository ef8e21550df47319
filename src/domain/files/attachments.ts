import type { BlobStore } from '../../blob/blob-store.ts';
import { AppError, ValidationError } from '../../errors.ts';
import type { AttachmentRef } from '../model/messages.ts';

// Inline (base64) attachments become blobs before the message is ingested, so the row can name its bytes.
// URL-only attachments are left alone: fetching a URL a caller chose would let them make us probe internal
// hosts (SSRF); fetching provider media is a job for the adapter's own, allow-listed step.

/** An attachment whose bytes are in the blob store (`base64` is dropped once stored). */
export type StoredAttachmentRef = AttachmentRef & { blobKey?: string; sha256?: string; size?: number };

export interface AttachmentLimits {
  /** Largest decoded file. */
  maxFileBytes: number;
  /** Largest sum of the decoded files of one message. */
  maxMessageBytes: number;
}

export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = {
  maxFileBytes: 10 * 1024 * 1024,
  maxMessageBytes: 25 * 1024 * 1024,
};

/**
 * Checks every inline attachment first (valid base64, size limits), so a rejected message stores nothing;
 * then stores them one at a time, so at most one decoded file is held in memory besides the request body.
 * Returns the refs in order; each inline one carries blobKey, sha256 and its true size.
 */
export async function storeInlineAttachments(
  store: BlobStore,
  refs: readonly AttachmentRef[],
  limits: AttachmentLimits = DEFAULT_ATTACHMENT_LIMITS,
): Promise<StoredAttachmentRef[]> {
  let total = 0;
  refs.forEach((ref, i) => {
    if (ref.base64 === undefined) return;
    const size = decodedSize(ref, i);
    if (size > limits.maxFileBytes) {
      throw tooLarge(`Attachment ${label(ref)} is ${size} bytes; the limit is ${limits.maxFileBytes} bytes per file`);
    }
    total += size;
    if (total > limits.maxMessageBytes) {
      throw tooLarge(`The attachments exceed ${limits.maxMessageBytes} bytes in total for one message`);
    }
  });

  const stored: StoredAttachmentRef[] = [];
  for (const ref of refs) {
    if (ref.base64 === undefined) {
      stored.push(ref);
      continue;
    }
    // Checked strictly above: Node's decoder is exact on such input.
    const { base64, ...rest } = ref;
    const blob = await store.put(Buffer.from(base64, 'base64'), ref.contentType);
    stored.push({ ...rest, blobKey: blob.key, sha256: blob.sha256, size: blob.size });
  }
  return stored;
}

/**
 * Standard alphabet, `=` padding, no whitespace or `data:` prefix (what zod's z.base64() accepts). A flat character
 * class on purpose: a grouped `(?:x{4})*` overflows V8's backtracking stack on a multi-megabyte string.
 */
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The decoded length, known from the text alone (nothing is decoded yet); a 400 for invalid base64. The last data
 * character's unused bits must be zero (`QQ==`, never `QR==`): Node's decoder would silently drop them, and
 * canonical input means one file has exactly one accepted spelling.
 */
function decodedSize(ref: AttachmentRef, i: number): number {
  const text = ref.base64!;
  if (text.length % 4 !== 0 || !BASE64_CHARS.test(text)) throw invalid(ref, i);
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (padding > 0) {
    const last = ALPHABET.indexOf(text[text.length - 1 - padding]!);
    if (last % (padding === 2 ? 16 : 4) !== 0) throw invalid(ref, i);
  }
  return (text.length / 4) * 3 - padding;
}

const label = (ref: AttachmentRef) => JSON.stringify(ref.filename);

function invalid(ref: AttachmentRef, i: number): ValidationError {
  const path = `message.attachments.${i}.base64`;
  const message = `Attachment ${label(ref)} is not valid base64 (standard alphabet with padding, no data: prefix)`;
  return new ValidationError(message, [{ path, message }]);
}

const tooLarge = (message: string) => new AppError('PAYLOAD_TOO_LARGE', message);
