import { fileTypeFromBuffer } from 'file-type';
import type { BlobStore } from '../../../src/blob/blob-store.ts';
import type { AttachmentRef } from '../../../src/domain/model/messages.ts';
import { AppError } from '../../../src/errors.ts';

// A visitor's file: its type is read from its bytes (the browser's claim is not trusted, so a script cannot pass
// as a picture), checked against the channel's allow-list and size limit, then kept in the blob store. The caller
// checks its rate limits first (accept-message.ts): nothing is stored for a refused request.

export interface UploadLimits {
  max_bytes: number;
  allowed_types: readonly string[];
}

/** The MIME type of the bytes: a known signature, else text/plain for UTF-8 text, else octet-stream. */
export async function sniffContentType(bytes: Uint8Array): Promise<string> {
  const found = await fileTypeFromBuffer(bytes);
  if (found) return found.mime;
  return looksLikeText(bytes) ? 'text/plain' : 'application/octet-stream';
}

function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, Math.max(0, head.length - 3)));
    return true;
  } catch {
    return false;
  }
}

export function typeAllowed(type: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => a === type || (a.endsWith('/*') && type.startsWith(a.slice(0, -1))));
}

/** A safe display name: no path, no control characters, at most 200 characters. */
export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return clean || 'file';
}

/**
 * Checks every file first (size, type from its bytes), so a refused message stores none of them; then stores them.
 * Returns the refs in order.
 */
export async function storeUploads(store: BlobStore, files: readonly File[], limits: UploadLimits): Promise<AttachmentRef[]> {
  const checked: Array<{ name: string; type: string; bytes: Uint8Array }> = [];
  for (const file of files) checked.push(await checkUpload(file, limits));
  const refs: AttachmentRef[] = [];
  for (const { name, type, bytes } of checked) {
    const blob = await store.put(bytes, type);
    refs.push({ filename: name, contentType: type, size: blob.size, blobKey: blob.key, sha256: blob.sha256 });
  }
  return refs;
}

async function checkUpload(file: File, limits: UploadLimits) {
  const name = cleanFilename(file.name);
  if (file.size > limits.max_bytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `${name} is ${megabytes(file.size)}; this chat accepts files up to ${megabytes(limits.max_bytes)}`);
  }
  if (file.size === 0) throw new AppError('BAD_REQUEST', `${name} is empty`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = await sniffContentType(bytes);
  if (!typeAllowed(type, limits.allowed_types)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `${name} is ${type}; this chat accepts ${limits.allowed_types.join(', ')}`);
  }
  return { name, type, bytes };
}

const megabytes = (n: number) => `${(n / (1024 * 1024)).toFixed(n < 1024 * 1024 ? 2 : 1)} MB`;
