import { and, asc, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { attachments, messages } from '../../db/schema/index.ts';
import type { ChannelCapabilities } from '../model/adapter.ts';
import { attachmentUrl } from '../files/attachment-urls.ts';
import type { OutboundMessage } from '../model/messages.ts';
import { replyToken } from './reply-token.ts';
import { splitText } from './split-text.ts';

// What dispatch hands an adapter for one stored reply: its text split to the channel's limit, its files as
// signed links the provider can fetch (Twilio and Meta pull media by URL) plus, for files we hold, their blob key
// (channels that carry the bytes read them through AdapterDeps.loadAttachment, not over our own link), and whether
// the channel's reply window has closed since the customer last wrote.

/** `hasAttachments: false` (dueReplies reads it with the reply) spares the attachments query. */
type Reply = Pick<typeof messages.$inferSelect, 'id' | 'text' | 'html' | 'sender' | 'context'> & { hasAttachments?: boolean };

export interface OutboundContext {
  db: Db;
  publicUrl: string;
  secret: string;
  now: Date;
}

export async function outboundParts(
  ctx: OutboundContext,
  msg: Reply,
  base: Pick<OutboundMessage, 'sessionId' | 'to' | 'externalThreadId' | 'subject'>,
  capabilities: ChannelCapabilities,
): Promise<OutboundMessage[]> {
  const files =
    msg.hasAttachments === false
      ? []
      : await ctx.db.select().from(attachments).where(eq(attachments.messageId, msg.id)).orderBy(asc(attachments.createdAt));
  const refs = files.map((f) => ({
    filename: f.filename,
    contentType: f.contentType,
    size: f.size,
    url: attachmentUrl(f, ctx.publicUrl, ctx.secret, ctx.now) ?? undefined,
    ...(f.blobKey ? { blobKey: f.blobKey } : {}),
  }));
  const windowClosed = await replyWindowClosed(ctx, base.sessionId, capabilities);
  // Only channels that thread replies need to know what a reply answers (one query less on every other send).
  const threading = capabilities.threadsByHeaders ? await replyThreading(ctx, base.sessionId) : undefined;
  const texts = splitText(msg.text ?? '', capabilities.maxTextLength);
  const senderType = msg.sender === 'contact' ? undefined : msg.sender;
  const rating = ratingOf(msg.context);
  // Files travel with the first part, so a caption and its picture arrive together.
  return texts.map((text, i) => ({
    ...base,
    messageId: msg.id,
    ...(senderType ? { senderType } : {}),
    ...(threading ? { threading } : {}),
    text,
    ...(i === 0 && msg.html ? { html: msg.html } : {}),
    attachments: i === 0 ? refs : [],
    ...(windowClosed ? { windowClosed } : {}),
    ...(i === 0 && rating ? { rating } : {}),
  }));
}

/** The survey token a CSAT question carries in its context (csat-request.ts writes it). */
function ratingOf(context: unknown): OutboundMessage['rating'] {
  const token = (context as { csat?: { token?: unknown } } | null)?.csat?.token;
  return typeof token === 'string' ? { token } : undefined;
}

/**
 * What a reply answers, for channels that thread by headers (email): the customer's latest message with a provider
 * id, and the ids it referred to; and the session's reply-address token.
 */
async function replyThreading(ctx: OutboundContext, sessionId: string): Promise<NonNullable<OutboundMessage['threading']>> {
  const [parent] = await ctx.db
    .select({ externalId: messages.externalId, context: messages.context })
    .from(messages)
    .where(and(eq(messages.sessionId, sessionId), eq(messages.direction, 'in'), isNotNull(messages.externalId)))
    .orderBy(desc(messages.seq))
    .limit(1);
  const refs = parent?.context?.references;
  return {
    ...(parent?.externalId ? { inReplyTo: parent.externalId } : {}),
    references: Array.isArray(refs) ? refs.filter((r): r is string => typeof r === 'string') : [],
    replyToken: replyToken(ctx.secret, sessionId),
  };
}

/** Whether the customer last wrote longer ago than the channel lets us answer (WhatsApp: 24 hours). */
async function replyWindowClosed(ctx: OutboundContext, sessionId: string, capabilities: ChannelCapabilities): Promise<boolean> {
  if (capabilities.replyWindowMs === null) return false;
  const [last] = await ctx.db
    .select({ at: messages.createdAt })
    .from(messages)
    .where(and(eq(messages.sessionId, sessionId), eq(messages.direction, 'in'), inArray(messages.sender, ['contact'])))
    .orderBy(desc(messages.seq))
    .limit(1);
  // No message from them at all (a session opened by the API): only a template can reach them.
  if (!last) return true;
  return ctx.now.getTime() - last.at.getTime() > capabilities.replyWindowMs;
}
