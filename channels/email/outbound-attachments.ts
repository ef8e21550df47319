import type { AdapterDeps } from '../../src/domain/model/adapter.ts';
import type { AttachmentRef } from '../../src/domain/model/messages.ts';
import { DeliveryError } from '../../src/errors.ts';

// A reply's files are loaded (core's loadAttachment: our blob store, or the sender's URL through the outbound guard)
// before the SMTP conversation starts, so a dead or refused link fails the send before anything was sent, and the
// total is capped like inbound mail (most receiving servers refuse more than ~25 MB anyway).

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

const safeFilename = (name: string) => name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').slice(0, 200) || 'attachment';

export async function loadAttachments(deps: AdapterDeps, refs: AttachmentRef[], maxBytes: number, signal: AbortSignal): Promise<MailAttachment[]> {
  const out: MailAttachment[] = [];
  let total = 0;
  for (const ref of refs) {
    const content = Buffer.from(await deps.loadAttachment(ref, maxBytes - total, signal));
    total += content.byteLength;
    if (total > maxBytes) throw new DeliveryError(`email: attachments exceed max_message_bytes (${maxBytes})`, 'never');
    out.push({ filename: safeFilename(ref.filename), contentType: ref.contentType || 'application/octet-stream', content });
  }
  return out;
}
