import type { messages } from '../../db/schema/index.ts';
import type { MessageJobRef } from '../../queue/enqueue.ts';
import type { CustomData } from '../contacts/custom-data.ts';
import type { ChannelKind, HistoryEventType, MessageSender } from '../model/enums.ts';
import type { AttachmentRef } from '../model/messages.ts';

// What a message row looks like, which event announces it and which job it needs. Pure rules, used only by the
// message writer (message-writer.ts), the one code that inserts into `messages`.

/** A line of the conversation, its session already found (and locked) by the caller. */
export interface MessageLine {
  orgId: string;
  sessionId: string;
  /** The session's channel; its kind names the line's job. */
  channel: { id: string; type: ChannelKind };
  sender: MessageSender;
  agentId?: string | undefined;
  senderName?: string | undefined;
  text: string;
  html?: string | undefined;
  attachments?: AttachmentRef[] | undefined;
  /** An agent's internal note: in the history, never dispatched. */
  private?: boolean | undefined;
  /** A customer message that needs no AI turn (an SMS STOP / START / HELP keyword, an automated mail). */
  noTurn?: boolean | undefined;
  /** A reply already delivered by the act of storing it (a call's greeting, spoken in the webhook's answer). */
  delivered?: boolean | undefined;
  /** The provider's message id: a second line with the same one on the channel is a duplicate. */
  externalId?: string | undefined;
  context?: Record<string, unknown> | undefined;
  raw?: unknown;
  sentAt?: Date | undefined;
  /** Merged into the session's custom_data as the line is stored. */
  sessionCustomData?: CustomData | undefined;
}

/** An entry of a session's history that is not a message (status change, handoff, an agent joining…). */
export interface HistoryEntry {
  eventType: Exclude<HistoryEventType, 'message' | 'human_agent_comment'>;
  sender: MessageSender;
  text: string;
  agentId?: string | null | undefined;
  senderName?: string | null | undefined;
  context?: Record<string, unknown> | null | undefined;
}

/** The session a history entry belongs to: its row, or the ids of it. */
export interface SessionRef {
  orgId: string;
  id: string;
  channelId: string;
}

type Flags = Pick<MessageLine, 'sender' | 'private' | 'noTurn' | 'delivered'>;
export const needsTurn = (line: Flags) => line.sender === 'contact' && !line.noTurn;
/** Replies (agents, the AI, system notices such as "you are in the queue") go out; internal notes never do. */
export const isReply = (line: Flags) => line.sender !== 'contact' && !line.private;
export const needsDispatch = (line: Flags) => isReply(line) && !line.delivered;

export function messageRow(line: MessageLine, id: string): typeof messages.$inferInsert {
  return {
    id,
    orgId: line.orgId,
    sessionId: line.sessionId,
    channelId: line.channel.id,
    direction: line.sender === 'contact' ? 'in' : 'out',
    sender: line.sender,
    agentId: line.agentId ?? null,
    senderName: line.senderName ?? null,
    eventType: line.private ? 'human_agent_comment' : 'message',
    type: line.attachments?.length && !line.text ? 'file' : 'text',
    text: line.text,
    html: line.html ?? null,
    private: line.private ?? false,
    externalId: line.externalId ?? null,
    deliveryStatus: needsDispatch(line) ? 'queued' : isReply(line) ? 'delivered' : null,
    raw: line.raw ?? null,
    context: line.context ?? null,
    turnState: needsTurn(line) ? 'pending' : 'none',
    createdAt: line.sentAt ?? new Date(),
  };
}

export function historyRow(s: SessionRef, entry: HistoryEntry): typeof messages.$inferInsert {
  return {
    orgId: s.orgId,
    sessionId: s.id,
    channelId: s.channelId,
    direction: 'out',
    sender: entry.sender,
    type: 'event',
    eventType: entry.eventType,
    text: entry.text,
    agentId: entry.agentId ?? null,
    senderName: entry.senderName ?? null,
    context: entry.context ?? null,
  };
}

export function attachmentRows(line: MessageLine, messageId: string) {
  return (line.attachments ?? []).map((a) => ({
    orgId: line.orgId,
    messageId,
    filename: a.filename,
    contentType: a.contentType,
    size: a.size ?? 0,
    sha256: a.sha256 ?? null,
    blobKey: a.blobKey ?? null,
    url: a.url ?? null,
  }));
}

const EVENT_BY_SENDER = {
  contact: 'conversation.contact_response',
  ai: 'conversation.ai_response',
  agent: 'conversation.agent_response',
  system: 'conversation.system_message',
} as const;

export function eventNameFor(line: Pick<MessageLine, 'sender' | 'private'>): string {
  return line.private ? 'conversation.agent_note' : EVENT_BY_SENDER[line.sender];
}

/** The job a committed line needs, if any: a customer's its turn, a reply its dispatch. */
export function jobFor(line: MessageLine, messageId: string): MessageJobRef | undefined {
  const queue = needsTurn(line) ? 'turn' : needsDispatch(line) ? 'dispatch' : undefined;
  if (!queue) return undefined;
  return { queue, orgId: line.orgId, sessionId: line.sessionId, messageId, channel: line.channel.type };
}
