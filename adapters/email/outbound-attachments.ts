import type { AdapterDeps } from '../../src/domain/adapter.ts';
import type { AttachmentRef } from '../../src/domain/messages.ts';
import { DeliveryError, MediaError } from '../../src/errors.ts';
import { readCapped } from '../read-capped.ts';

// A reply's files come as our own signed links (or inline base64): their bytes are fetched before the SMTP
// conversation starts, so a dead link fails the send before anything was sent, and the total is capped like
// inbound mail (most receiving servers refuse more than ~25 MB anyway).

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

const safeFilename = (name: string) => name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').slice(0, 200) || 'attachment';

async function fetchBytes(deps: AdapterDeps, ref: AttachmentRef, remaining: number, signal: AbortSignal): Promise<Buffer> {
  if (ref.base64 !== undefined) return Buffer.from(ref.base64, 'base64');
  if (!ref.url) throw new DeliveryError(`email: attachment ${ref.filename} has neither url nor bytes`, 'never');
  let res: Response;
  try {
    res = await deps.fetch(ref.url, { signal });
  } catch (err) {
    throw new DeliveryError(`email: attachment ${ref.filename} could not be fetched: ${(err as Error).message}`, 'later', { cause: err });
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    const gone = res.status === 403 || res.status === 404 || res.status === 410;
    throw new DeliveryError(`email: attachment ${ref.filename} answered HTTP ${res.status}`, gone ? 'never' : 'later');
  }
  try {
    return Buffer.from(await readCapped(res, remaining));
  } catch (err) {
    if (err instanceof MediaError) throw new DeliveryError(`email: attachments are over the ${remaining}-byte budget left (${ref.filename})`, 'never', { cause: err });
    throw new DeliveryError(`email: attachment ${ref.filename} could not be read: ${(err as Error).message}`, 'later', { cause: err });
  }
}

export async function loadAttachments(deps: AdapterDeps, refs: AttachmentRef[], maxBytes: number, signal: AbortSignal): Promise<MailAttachment[]> {
  const out: MailAttachment[] = [];
  let total = 0;
  for (const ref of refs) {
    const content = await fetchBytes(deps, ref, maxBytes - total, signal);
    total += content.byteLength;
    if (total > maxBytes) throw new DeliveryError(`email: attachments exceed max_message_bytes (${maxBytes})`, 'never');
    out.push({ filename: safeFilename(ref.filename), contentType: ref.contentType || 'application/octet-stream', content });
  }
  return out;
}
