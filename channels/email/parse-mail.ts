import type { ParsedMail } from 'mailparser';
import type { MailEnvelope, ParseOutcome } from '../../src/domain/model/adapter.ts';
import type { InboundMessage } from '../../src/domain/model/messages.ts';
import { classifyAutomated } from './automated.ts';
import { parseBounce } from './bounce.ts';
import { inlineCidImages } from './cid-images.ts';
import type { EmailConfig } from './config.ts';
import { addressesIn, headerValue, headerValues, keptHeaders } from './headers.ts';
import { collectAttachments } from './inbound-attachments.ts';
import { mimeFlags, readHeaderBlock, strayBody } from './mime-flags.ts';
import { capText, MAX_TEXT_CHARS, malformedMessage, sha256Id, UNKNOWN_SENDER } from './malformed-mail.ts';
import { htmlToNewText, sanitizeMailHtml } from './mail-html.ts';
import { stripQuotedText } from './strip-quotes.ts';
import { normalizeReferences, replyTokenOf, subjectKeyOf, verpMessageIdOf } from './threading.ts';

// mailparser (and the MIME stack under it, ~16 MB resident) is loaded with the first mail, not at start-up: an API
// process with no email traffic does not carry it (README "Start-up and memory").
let loaded: Promise<typeof import('mailparser')> | undefined;
const mailparser = () => (loaded ??= import('mailparser'));

// One raw RFC 5322 message → one InboundMessage (docs/email.md), whatever transport brought it. Never throws:
// unparseable mail becomes a flagged message rather than a lost one.

export interface ParseMailContext {
  config: EmailConfig;
  channelId: string;
  envelope?: MailEnvelope;
  now: Date;
}

const MAX_RAW_TEXT_CHARS = 200_000;

export async function parseMail(raw: Uint8Array, ctx: ParseMailContext): Promise<ParseOutcome> {
  if (raw.byteLength === 0 || (raw.byteLength <= 4096 && /^\s*$/.test(Buffer.from(raw).toString('latin1')))) {
    return { type: 'ignored', reason: 'empty mail' };
  }
  let parsed: ParsedMail;
  try {
    // keepCidLinks: inline images are inlined by us, size-capped (cid-images.ts); text: our own HTML → text, so
    // that quote containers can be dropped first.
    parsed = await (await mailparser()).simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), {
      keepDeliveryStatus: true,
      keepCidLinks: true,
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
    });
  } catch (err) {
    return { type: 'messages', messages: [malformedMessage(raw, ctx, `mailparser: ${String(err)}`)] };
  }
  if (parsed.headerLines.every((l) => !l.key)) {
    return { type: 'messages', messages: [malformedMessage(raw, ctx, 'no header lines')] };
  }
  try {
    return { type: 'messages', messages: [toMessage(parsed, raw, ctx)] };
  } catch (err) {
    return { type: 'messages', messages: [malformedMessage(raw, ctx, `unusable headers: ${String(err)}`)] };
  }
}

function toMessage(parsed: ParsedMail, raw: Uint8Array, ctx: ParseMailContext): InboundMessage {
  const { config, envelope, now } = ctx;
  const lines = parsed.headerLines;
  const block = readHeaderBlock(raw);
  const flags = mimeFlags(raw, parsed, block);

  const sender = parsed.from?.value.find((v) => v.address);
  const fromAddress = sender?.address?.trim().toLowerCase() || envelope?.mailFrom?.toLowerCase() || UNKNOWN_SENDER;
  const subject = capText(parsed.subject ?? '', 2000).trim();
  const messageId = parsed.messageId?.trim();
  const inReplyTo = headerValue(lines, 'in-reply-to');
  const references = normalizeReferences(parsed.inReplyTo, parsed.references);

  const recipients = [
    ...addressesIn(['to', 'cc', 'delivered-to', 'x-original-to'].flatMap((h) => headerValues(lines, h))),
    ...(envelope?.rcptTo ?? []),
  ];
  const automated = classifyAutomated({
    lines,
    fromAddress,
    subject,
    messageId,
    hasInReplyTo: inReplyTo !== undefined,
    contentType: headerValue(lines, 'content-type') ?? 'text/plain',
    supportAddress: config.address,
    mailFrom: envelope?.mailFrom,
  });
  const isBounce = automated === 'bounce';

  const html = typeof parsed.html === 'string' ? parsed.html : undefined;
  const plain = parsed.text?.trim() ? parsed.text : html ? undefined : strayBody(block);
  const fullText = plain ?? (html ? htmlToNewText(html, false) : '');
  const newText = plain ? stripQuotedText(plain) : html ? stripQuotedText(htmlToNewText(html, true)) : '';
  const text = newText || fullText.trim();
  if (text.length > MAX_TEXT_CHARS) flags.push('text_truncated');

  const { attachments, flags: attachmentFlags } = collectAttachments(parsed.attachments, config.max_message_bytes, isBounce);
  flags.push(...attachmentFlags);

  const message: InboundMessage = {
    channel: 'email',
    channelId: ctx.channelId,
    externalId: messageId ? messageId.replace(/^<|>$/g, '') || sha256Id(raw) : sha256Id(raw),
    from: { address: fromAddress, email: fromAddress, ...(sender?.name ? { name: capText(sender.name, 500) } : {}) },
    text: capText(text),
    attachments,
    sentAt: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : now,
    threading: {
      references,
      replyToken: replyTokenOf(recipients, config.address),
      subjectKey: subjectKeyOf(subject),
    },
    raw: {
      headers: keptHeaders(lines),
      text: capText(fullText, MAX_RAW_TEXT_CHARS),
      html_length: html?.length ?? 0,
      size: raw.byteLength,
    },
  };
  if (subject) message.subject = subject;
  if (html) message.html = capText(sanitizeMailHtml(inlineCidImages(html, parsed.attachments)), Number.MAX_SAFE_INTEGER);
  if (automated) message.automated = automated;
  if (isBounce) message.bounce = parseBounce(parsed.attachments, fullText, verpMessageIdOf(recipients, config.address));
  if (fromAddress === UNKNOWN_SENDER) flags.push('missing_from');
  if (flags.length) message.flags = [...new Set(flags)];
  return message;
}
