import type { Attachment } from 'mailparser';
import type { InboundMessage } from '../../src/domain/model/messages.ts';
import { normalizeReferences } from './threading.ts';

// A bounce's verdict on one of our messages (RFC 3464 DSN / RFC 6522 multipart/report). mailparser surfaces the
// machine-readable parts as attachments (keepDeliveryStatus). Many MTAs send prose bounces instead: the VERP
// envelope recipient (`support+bounce-<our message id>@…`) still names the message, and the verdict is 'failed'.
// Other reports are not failures: a read receipt (RFC 8098 MDN) says 'displayed' (or 'deleted'…), a spam complaint
// (RFC 5965 ARF feedback report) 'complained'.

export type BounceInfo = NonNullable<InboundMessage['bounce']>;

const DSN_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const MDN_TYPES = new Set(['message/disposition-notification', 'message/global-disposition-notification']);
const ARF_TYPE = 'message/feedback-report';
const RETURNED_HEADER_TYPES = new Set(['text/rfc822-headers', 'message/global-headers', 'message/rfc822', 'message/global']);

/** Parts that are the DSN's machinery, kept out of a bounce's attachments. */
export function isDsnMachinePart(contentType: string): boolean {
  const type = contentType.toLowerCase();
  return DSN_TYPES.has(type) || MDN_TYPES.has(type) || type === ARF_TYPE || type === 'text/rfc822-headers' || type === 'message/global-headers';
}

/** `Name: value` fields of one header block, unfolded, lowercase names; the first of each wins. */
function fields(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(colon + 1).trim());
  }
  return out;
}

/** `rfc822; x@y` → `x@y`; `smtp; 550 …` → `550 …`. */
const afterType = (v: string | undefined) => v?.replace(/^[a-z0-9-]+\s*;\s*/i, '').trim() || undefined;

const MAX_DSN_CHARS = 64 * 1024;

/** The most telling per-recipient block: a failure beats a delay beats anything else. */
function recipientVerdict(dsn: string): { action?: string; status?: string; diagnostic?: string } {
  const blocks = dsn.slice(0, MAX_DSN_CHARS).split(/\r?\n\s*\r?\n/).map(fields);
  const recipients = blocks.filter((b) => b.has('action') || b.has('final-recipient'));
  const rank = (b: Map<string, string>) => ({ failed: 0, delayed: 1 })[b.get('action')?.toLowerCase() ?? ''] ?? 2;
  const best = recipients.sort((a, b) => rank(a) - rank(b))[0];
  if (!best) return {};
  return {
    action: best.get('action')?.toLowerCase(),
    status: best.get('status')?.split(/\s/)[0],
    diagnostic: afterType(best.get('diagnostic-code')),
  };
}

/** Message-IDs in a returned message or its headers part. */
function returnedIds(part: Attachment): string[] {
  const text = part.content.subarray(0, MAX_DSN_CHARS).toString('latin1');
  const head = text.split(/\r?\n\r?\n/)[0] ?? '';
  const id = fields(head).get('message-id');
  return id ? normalizeReferences(id, undefined) : [];
}

/** Message-ID lines quoted in a prose bounce's text. */
function idsInText(text: string): string[] {
  const found = [...text.slice(0, MAX_DSN_CHARS).matchAll(/^\s*Message-ID:\s*(<[^<>\s]+>)/gim)].map((m) => m[1]!);
  return normalizeReferences(undefined, found);
}

/** A read receipt: `Disposition: manual-action/MDN-sent-manually; displayed` → 'displayed'. */
function mdnVerdict(mdn: Attachment): { action: string; ids: string[] } {
  const f = fields(mdn.content.subarray(0, MAX_DSN_CHARS).toString('utf8'));
  const action = f.get('disposition')?.split(';')[1]?.trim().split(/[\s/]/)[0]?.toLowerCase() || 'displayed';
  return { action, ids: normalizeReferences(f.get('original-message-id'), undefined) };
}

const partOf = (attachments: Attachment[], types: Set<string>) => attachments.find((a) => types.has(a.contentType.toLowerCase()));

export function parseBounce(attachments: Attachment[], text: string, verpMessageId: string | undefined): BounceInfo {
  const dsn = partOf(attachments, DSN_TYPES);
  const mdn = dsn ? undefined : partOf(attachments, MDN_TYPES);
  const arf = dsn || mdn ? undefined : partOf(attachments, new Set([ARF_TYPE]));
  const receipt = mdn ? mdnVerdict(mdn) : undefined;
  const verdict: { action?: string; status?: string; diagnostic?: string } = dsn
    ? recipientVerdict(dsn.content.toString('utf8'))
    : receipt
      ? { action: receipt.action }
      : arf
        ? { action: 'complained' }
        : {};
  const returned = [
    ...(receipt?.ids ?? []),
    ...attachments.filter((a) => RETURNED_HEADER_TYPES.has(a.contentType.toLowerCase())).flatMap(returnedIds),
  ];
  const originalIds = normalizeReferences(undefined, returned.length ? returned : idsInText(text));
  const bounce: BounceInfo = { originalIds, action: verdict.action ?? 'failed' };
  if (verpMessageId) bounce.messageId = verpMessageId;
  if (verdict.status) bounce.status = verdict.status;
  if (verdict.diagnostic) bounce.diagnostic = verdict.diagnostic;
  return bounce;
}
