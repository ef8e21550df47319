import type { BlobStore } from '../../blob/blob-store.ts';
import type { Logger } from '../../logger.ts';
import type { ChannelAdapter } from '../model/adapter.ts';
import { type AttachmentLimits, DEFAULT_ATTACHMENT_LIMITS } from './attachments.ts';
import type { AttachmentRef } from '../model/messages.ts';

// Provider media (MMS pictures, WhatsApp documents, call recordings) is fetched by the adapter — with the
// provider's auth, from the provider's hosts only, capped in size — and kept in the blob store, because provider
// links expire (Meta: minutes) or need credentials no browser has. A file that cannot be fetched is not a reason
// to lose the message: it is stored without bytes, its provider URL kept, and the failure logged.

const FETCH_TIMEOUT_MS = 10_000;

export async function storeInboundMedia(
  adapter: ChannelAdapter,
  blobs: BlobStore,
  logger: Logger,
  refs: readonly AttachmentRef[],
  limits: AttachmentLimits = DEFAULT_ATTACHMENT_LIMITS,
): Promise<AttachmentRef[]> {
  const stored: AttachmentRef[] = [];
  let total = 0;
  for (const ref of refs) {
    // Bytes that came inside the message (email attachments): stored as they are (the adapter capped them).
    if (ref.base64 !== undefined) {
      const { base64, ...rest } = ref;
      const blob = await blobs.put(Buffer.from(base64, 'base64'), ref.contentType);
      total += blob.size;
      stored.push({ ...rest, size: blob.size, blobKey: blob.key, sha256: blob.sha256 });
      continue;
    }
    if (!ref.url || ref.blobKey || !adapter.fetchMedia) {
      stored.push(ref);
      continue;
    }
    const room = Math.min(limits.maxFileBytes, limits.maxMessageBytes - total);
    try {
      const media = await adapter.fetchMedia(ref, room, AbortSignal.timeout(FETCH_TIMEOUT_MS));
      const blob = await blobs.put(media.bytes, media.contentType);
      total += blob.size;
      stored.push({
        filename: media.filename ?? ref.filename,
        contentType: media.contentType || ref.contentType,
        size: blob.size,
        blobKey: blob.key,
        sha256: blob.sha256,
        url: ref.url,
      });
    } catch (err) {
      logger.warn({ err: (err as Error).message, url: ref.url, kind: adapter.kind }, 'provider media not fetched; kept as a link');
      stored.push(ref);
    }
  }
  return stored;
}
