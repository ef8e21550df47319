import { createHash } from 'node:crypto';
import type { SlackCredentials, SlackFile } from './state.ts';

// The inner `event` objects Slack sends for what a person does: a DM to the bot, an @-mention in a channel, a
// plain channel post (or a bot's, with subtype/bot_id, which the adapter must ignore).

export interface DmInput {
  user: string;
  text: string;
  /** Default: one stable 'D…' channel per user, as Slack gives each person one DM with the bot. */
  channel?: string;
  ts?: string;
  thread_ts?: string;
  /** Files from addFile; the event then carries subtype 'file_share', as Slack's does. */
  files?: SlackFile[];
}

export interface MentionInput {
  user: string;
  channel: string;
  /** Text after the mention; the peer prefixes `<@botUserId> `. */
  text: string;
  ts?: string;
  thread_ts?: string;
}

export interface ChannelMessageInput {
  user: string;
  channel: string;
  text: string;
  ts?: string;
  thread_ts?: string;
  subtype?: string;
  bot_id?: string;
}

export function dmChannelFor(creds: SlackCredentials, user: string): string {
  return `D${digest(`${creds.teamId}:${user}`).slice(0, 10).toUpperCase()}`;
}

// Derived, not random: calling a shorthand twice with the same ts and event_id must rebuild the identical event,
// because that is how a test asks for one of Slack's retries.
function digest(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

function clientMsgId(channel: string, ts: string): string {
  const h = digest(`${channel}:${ts}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The rich_text block Slack's clients attach to every typed message. */
function richText(text: string): unknown[] {
  if (!text) return [];
  const blockId = digest(text).slice(0, 5);
  return [{ type: 'rich_text', block_id: blockId, elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }] }];
}

function eventFile(file: SlackFile, user: string, ts: string): Record<string, unknown> {
  return {
    ...file,
    created: Math.floor(Number(ts)),
    timestamp: Math.floor(Number(ts)),
    title: file.name,
    filetype: /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? 'binary',
    user,
    mode: 'hosted',
    is_external: false,
    is_public: false,
  };
}

function thread(threadTs: string | undefined): Record<string, string> {
  return threadTs ? { thread_ts: threadTs } : {};
}

export function dmEvent(creds: SlackCredentials, input: DmInput, ts: string): Record<string, unknown> {
  const files = input.files ?? [];
  const channel = input.channel ?? dmChannelFor(creds, input.user);
  return {
    type: 'message',
    ...(files.length > 0 ? { subtype: 'file_share' } : {}),
    text: input.text,
    ...(files.length > 0 ? { files: files.map((f) => eventFile(f, input.user, ts)), upload: false, display_as_bot: false } : {}),
    user: input.user,
    ts,
    ...thread(input.thread_ts),
    blocks: richText(input.text),
    team: creds.teamId,
    client_msg_id: clientMsgId(channel, ts),
    channel,
    event_ts: ts,
    channel_type: 'im',
  };
}

export function mentionEvent(creds: SlackCredentials, input: MentionInput, ts: string): Record<string, unknown> {
  const text = `<@${creds.botUserId}> ${input.text}`;
  return {
    type: 'app_mention',
    user: input.user,
    text,
    ts,
    ...thread(input.thread_ts),
    blocks: richText(text),
    team: creds.teamId,
    client_msg_id: clientMsgId(input.channel, ts),
    channel: input.channel,
    event_ts: ts,
  };
}

export function channelMessageEvent(creds: SlackCredentials, input: ChannelMessageInput, ts: string): Record<string, unknown> {
  const fromBot = input.bot_id !== undefined || input.subtype === 'bot_message';
  return {
    type: 'message',
    ...(input.subtype ? { subtype: input.subtype } : {}),
    text: input.text,
    user: input.user,
    ...(input.bot_id ? { bot_id: input.bot_id } : {}),
    ts,
    ...thread(input.thread_ts),
    blocks: richText(input.text),
    team: creds.teamId,
    // People's clients stamp client_msg_id; bots' API posts do not.
    ...(fromBot ? {} : { client_msg_id: clientMsgId(input.channel, ts) }),
    channel: input.channel,
    event_ts: ts,
    channel_type: 'channel',
  };
}
