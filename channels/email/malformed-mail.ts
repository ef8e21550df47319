import { createHash } from 'node:crypto';
import type { MailEnvelope } from '../../src/domain/model/adapter.ts';
import type { InboundMessage } from '../../src/domain/model/messages.ts';

// Mail mailparser cannot make sense of is still a customer writing to us: it is stored as received and flagged for
// an agent, never dropped (docs/email.md "Content").

export const MAX_TEXT_CHARS = 100_000;
export const UNKNOWN_SENDER = 'unknown@unknown.invalid';

export function sha256Id(raw: Uint8Array): string {
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** UTF-8 when the bytes are valid UTF-8, else latin1 (every byte maps to a character, nothing is lost). */
export function decodeBestEffort(raw: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  }
}

/** Bounded, and without NUL characters (Postgres text and jsonb refuse them; mail has no use for them). */
export function capText(text: string, max = MAX_TEXT_CHARS): string {
  const clean = text.includes('\u0000') ? text.replace(/\u0000/g, '') : text;
  return clean.length > max ? clean.slice(0, max) : clean;
}

/** The message for mail that could not be parsed: the raw text, and what can be fished from its header lines. */
export function malformedMessage(
  raw: Uint8Array,
  ctx: { channelId: string; envelope?: MailEnvelope; now: Date },
  reason: string,
): InboundMessage {
  const sample = raw.byteLength > MAX_TEXT_CHARS * 2 ? raw.subarray(0, MAX_TEXT_CHARS * 2) : raw;
  const text = capText(decodeBestEffort(sample));
  const head = text.split(/\r?\n\r?\n/)[0] ?? '';
  const messageId = /^Message-ID:\s*<([^<>\s]+)>/im.exec(head)?.[1];
  const fromLine = /^From:\s*(.*)$/im.exec(head)?.[1] ?? '';
  const fromAddress = /<?([^\s<>"]+@[^\s<>"]+?)>?\s*$/.exec(fromLine)?.[1]?.toLowerCase() ?? (ctx.envelope?.mailFrom?.toLowerCase() || UNKNOWN_SENDER);
  return {
    channel: 'email',
    channelId: ctx.channelId,
    externalId: messageId ?? sha256Id(raw),
    from: { address: fromAddress, email: fromAddress },
    text,
    attachments: [],
    sentAt: ctx.now,
    threading: { references: [] },
    flags: ['malformed_mime'],
    raw: { headers: {}, text, html_length: 0, size: raw.byteLength, error: reason.slice(0, 500) },
  };
}
