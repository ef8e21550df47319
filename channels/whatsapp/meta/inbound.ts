import type { AttachmentRef, InboundMessage } from '../../../src/domain/model/messages.ts';
import { graphUrl, type MetaConfig } from './config.ts';
import type { MetaMedia, MetaMessage } from './webhook-schema.ts';

// One WhatsApp message → one InboundMessage. Media are referenced, not fetched: the url is the Graph media object,
// which core later hands to fetchMedia (Meta's download URLs expire after 5 minutes; media ids after 7 days).

/** Reactions, "unsupported" placeholders and system notices (number changed…) are not conversation. */
const SKIPPED_TYPES = new Set(['reaction', 'unsupported', 'system', 'ephemeral', 'request_welcome']);
const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};

/** Extension for a MIME type, parameters (`audio/ogg; codecs=opus`) ignored. */
function extensionFor(mime: string): string {
  const base = mime.split(';')[0]?.trim().toLowerCase() ?? '';
  return EXTENSIONS[base] ?? base.split('/')[1]?.replace(/[^a-z0-9]/g, '') ?? 'bin';
}

function attachmentOf(config: MetaConfig, media: MetaMedia): AttachmentRef {
  return {
    filename: media.filename ?? `${media.id}.${extensionFor(media.mime_type) || 'bin'}`,
    contentType: media.mime_type,
    url: graphUrl(config, media.id),
    ...(media.sha256 ? { sha256: media.sha256 } : {}),
  };
}

function locationText(loc: NonNullable<MetaMessage['location']>): string {
  const place = [loc.name, loc.address].filter(Boolean).join(', ');
  const coords = `(${loc.latitude}, ${loc.longitude})`;
  return `📍 ${place ? `${place} ${coords}` : coords}\nhttps://www.google.com/maps?q=${loc.latitude},${loc.longitude}`;
}

/** The message's text, or null when its type carries nothing we know how to show. */
function textOf(m: MetaMessage): string | null {
  if (m.type === 'text') return m.text?.body ?? null;
  if (m.type === 'location' && m.location) return locationText(m.location);
  if (m.type === 'interactive') return m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title ?? null;
  if (m.type === 'button') return m.button?.text ?? null;
  if (m.type === 'contacts' && m.contacts) {
    return m.contacts.map((c) => `👤 ${[c.name?.formatted_name, ...(c.phones ?? []).map((p) => p.phone)].filter(Boolean).join(' ')}`).join('\n');
  }
  return null;
}

export interface InboundContext {
  config: MetaConfig;
  channelId: string;
  receivedAt: Date;
}

/** null: a type that is not conversation (reaction, system…) or a message without a sender. */
export function toInboundMessage(
  ctx: InboundContext,
  m: MetaMessage,
  raw: unknown,
  /** The sender's entry of value.contacts[], as received. */
  contact: { name?: string; raw: unknown } | undefined
): InboundMessage | null {
  if (SKIPPED_TYPES.has(m.type)) return null;
  const address = m.user_id ?? m.from;
  if (!address) return null;

  const mediaType = MEDIA_TYPES.find((t) => t === m.type);
  const media = mediaType ? m[mediaType] : undefined;
  // Types we cannot render (order, a new one Meta adds) are kept, raw included, so an agent still sees them.
  const text = media ? media.caption ?? '' : textOf(m) ?? `[WhatsApp ${m.type} message]`;
  const seconds = Number(m.timestamp);
  const name = contact?.name;

  return {
    channel: 'whatsapp',
    channelId: ctx.channelId,
    externalId: m.id,
    from: { address, ...(m.from ? { phone: `+${m.from}` } : {}), ...(name ? { name } : {}) },
    text,
    attachments: media ? [attachmentOf(ctx.config, media)] : [],
    sentAt: Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : ctx.receivedAt,
    raw: { message: raw, contact: contact?.raw ?? null },
  };
}
