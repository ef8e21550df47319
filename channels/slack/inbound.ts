import type { AttachmentRef, InboundMessage } from '../../src/domain/model/messages.ts';
import type { SlackEnvelope, SlackMessageEvent } from './event-schema.ts';
import { slackToPlainText } from './inbound-text.ts';

// A `message` or `app_mention` event → InboundMessage (https://api.slack.com/events/message). Keys are built so the
// same post seen twice — as `message` and as `app_mention` (two event_ids), or redelivered by Slack — dedupes on
// team+channel+ts, and so a DM is one conversation while a channel thread is another. The team is the envelope's (the
// workspace that installed us): its token answers in that conversation, also for partners in a shared channel.

/** Subtypes that are people writing to us; everything else (edits, joins, bots…) is not conversation. */
const KEPT_SUBTYPES = new Set(['file_share', 'thread_broadcast']);

/** Why an event is not a customer's message, or undefined when it is one. */
export function whyIgnored(event: SlackMessageEvent, botUserId: string | undefined): string | undefined {
  if (event.bot_id) return `posted by a bot (${event.bot_id})`;
  if (botUserId && event.user === botUserId) return 'posted by our own bot user';
  if (event.subtype && !KEPT_SUBTYPES.has(event.subtype)) return `message subtype ${event.subtype}`;
  if (event.hidden) return 'hidden message';
  if (!event.user || !event.channel || !event.ts) return 'message without user, channel or ts';
  return undefined;
}

/** DMs (channel_type im, or a D… channel) have no threads for us: one DM is one conversation. */
function isDirectMessage(event: SlackMessageEvent): boolean {
  return event.channel_type === 'im' || (event.channel ?? '').startsWith('D');
}

/** Slack's `ts` is unix seconds with microseconds ("1732400000.123456"). */
export function dateFromTs(ts: string | undefined): Date | undefined {
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(ts ?? '');
  if (!m) return undefined;
  return new Date(Number(m[1]) * 1000 + Math.floor(Number((m[2] ?? '0').padEnd(6, '0')) / 1000));
}

function attachmentsOf(event: SlackMessageEvent): AttachmentRef[] {
  return (event.files ?? []).map((f) => {
    const ref: AttachmentRef = {
      filename: f.name || f.title || f.id || 'file',
      contentType: f.mimetype || 'application/octet-stream',
    };
    if (typeof f.size === 'number') ref.size = f.size;
    // Files shared from another org (file_access: check_file_info) come without URLs: kept as a name only.
    const url = f.url_private_download ?? f.url_private;
    if (url) ref.url = url;
    return ref;
  });
}

/** Call only for events whyIgnored() keeps (user, channel and ts present). */
export function toInboundMessage(
  event: SlackMessageEvent,
  envelope: SlackEnvelope,
  channelId: string,
  botUserId: string | undefined,
  receivedAt: Date,
): InboundMessage {
  const team = envelope.team_id ?? event.team ?? 'T';
  const channel = event.channel ?? '';
  const ts = event.ts ?? '';
  return {
    channel: 'slack',
    channelId,
    externalId: `${team}:${channel}:${ts}`,
    externalThreadId: isDirectMessage(event) ? `${team}:${channel}` : `${team}:${channel}:${event.thread_ts ?? ts}`,
    from: { address: `${team}:${event.user}` },
    text: slackToPlainText(event.text ?? '', botUserId),
    attachments: attachmentsOf(event),
    sentAt: dateFromTs(ts) ?? receivedAt,
    raw: envelope,
  };
}

/** `team:channel[:thread_ts]` (our externalThreadId) → where a reply goes. */
export function parseThreadId(threadId: string | undefined): { team: string; channel: string; threadTs?: string } | undefined {
  const m = /^([A-Z0-9]+):([A-Z0-9]+)(?::(\d+\.\d+))?$/.exec(threadId ?? '');
  if (!m) return undefined;
  return m[3] ? { team: m[1]!, channel: m[2]!, threadTs: m[3] } : { team: m[1]!, channel: m[2]! };
}
