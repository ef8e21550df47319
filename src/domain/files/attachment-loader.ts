import type { BlobStore } from '../../blob/blob-store.ts';
import { DeliveryError } from '../../errors.ts';
import type { GuardedFetch } from '../../net/guarded-fetch.ts';
import { blockedAddressIn, redirectErrorIn, tooLargeIn } from '../../net/outbound-errors.ts';
import type { LoadAttachment } from '../model/adapter.ts';

// Core's side of AdapterDeps.loadAttachment: the bytes of a reply's file for channels that carry the bytes
// themselves (email, Slack). A file we hold is read from the blob store — never through our own signed link, whose
// PUBLIC_URL is often loopback — and any other is fetched from the URL the sender gave, through the outbound guard.
// Every failure of a sender's URL fails the message at once ('never'): retrying a blocked or dead link only holds
// up the session's later replies, and the agent can retry the message by hand.

const MAX_REDIRECTS = 3;
const FETCH_TIMEOUT_MS = 15_000;

export interface AttachmentLoaderDeps {
  blobs: BlobStore;
  fetch: GuardedFetch;
}

export function createAttachmentLoader(deps: AttachmentLoaderDeps, opts: { timeoutMs?: number } = {}): LoadAttachment {
  const timeoutMs = opts.timeoutMs ?? FETCH_TIMEOUT_MS;
  return async (ref, maxBytes, signal) => {
    const name = ref.filename || 'attachment';
    const fail = (code: string, why: string, cause?: unknown) => new DeliveryError(`${code}: ${name}: ${why}`, 'never', { cause });
    const capped = (bytes: Uint8Array) => {
      if (bytes.byteLength > maxBytes) throw fail('attachment_too_large', `${bytes.byteLength} bytes, over the ${maxBytes}-byte limit`);
      return bytes;
    };
    if (ref.blobKey) {
      const bytes = await deps.blobs.get(ref.blobKey).catch((err: Error) => {
        throw new DeliveryError(`attachment_unreadable: ${name}: ${err.message}`, 'later', { cause: err });
      });
      if (!bytes) throw fail('attachment_missing', 'its stored bytes are gone');
      return capped(bytes);
    }
    if (ref.base64 !== undefined) return capped(Buffer.from(ref.base64, 'base64'));
    if (!ref.url) throw fail('attachment_missing', 'it has neither stored bytes nor a URL');
    try {
      const res = await deps.fetch(ref.url, { signal, maxRedirects: MAX_REDIRECTS, maxBytes, timeoutMs });
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        throw fail('attachment_unreachable', `HTTP ${res.status}`);
      }
      return new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      // The send itself was cut short (worker shutdown): not the link's fault.
      if (signal.aborted) throw new DeliveryError(`attachment: ${name}: the send was aborted`, 'later', { cause: err });
      const blocked = blockedAddressIn(err);
      if (blocked) throw fail('attachment_blocked', blocked.reason, err);
      if (tooLargeIn(err)) throw fail('attachment_too_large', `over the ${maxBytes}-byte limit`, err);
      throw fail('attachment_unreachable', whyUnreachable(err, timeoutMs), err);
    }
  };
}

function whyUnreachable(err: unknown, timeoutMs: number): string {
  const redirect = redirectErrorIn(err);
  if (redirect) return redirect.message;
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message}: ${cause}` : e.message;
}
