import type { ContactDetails } from '../contacts/contacts.ts';
import type { CustomData } from '../contacts/custom-data.ts';
import type { ChannelKind, MessageSender } from '../model/enums.ts';
import type { AttachmentRef } from '../model/messages.ts';
import type { MessageLine } from '../sessions/message-writer.ts';

// What ingest takes, one shape per kind of caller, what it answers, and the line it hands the message writer.
// Here, not in ingest.ts, so the single path (ingest.ts) and the group commit (ingest-batch.ts) share them
// without importing each other.

/** What any message carries. */
export interface MessageFields {
  orgId: string;
  text: string;
  html?: string | undefined;
  attachments?: AttachmentRef[] | undefined;
  /** The provider's message id: a second message with the same one on the channel is a duplicate. */
  externalId?: string | undefined;
  raw?: unknown;
}

/** What a message from a person (the customer, an agent) or the AI carries too. */
export interface SenderFields extends MessageFields {
  sender: Exclude<MessageSender, 'system'>;
  agentId?: string | undefined;
  senderName?: string | undefined;
  /** The contact's details, updated on its row (or given to it as it is created). */
  contact?: ContactDetails | undefined;
  /** The first message's subject becomes its new session's (mail). */
  subject?: string | undefined;
  /** An agent's internal note. */
  private?: boolean | undefined;
  /** A customer message that needs no AI turn (an SMS STOP / START / HELP keyword). */
  noTurn?: boolean | undefined;
  /** Kept on the message for agents and later replies (a mail's References, parse flags). */
  context?: Record<string, unknown> | undefined;
  /** A reply already delivered by the act of storing it (a call's greeting, spoken in the webhook's answer). */
  delivered?: boolean | undefined;
  sessionCustomData?: CustomData | undefined;
  sentAt?: Date | undefined;
}

/** Who sent it: their channel-native address (phone number, email, Slack user…), or a contact known already. */
export type ChannelSender = { identity: { address: string }; contactId?: never } | { contactId: string; identity?: never };

/**
 * A message arriving on a channel (a provider webhook, a web visitor, a call): its sender's contact is resolved
 * from their address there, or known already, and its session found (by thread id when the channel has threads),
 * reopened by the customer, or opened.
 */
export type FromChannel = SenderFields &
  ChannelSender & {
    kind: 'from-channel';
    channel: { id: string; type: ChannelKind };
    /** A provider thread (Slack thread, call id, mail subject key): one session per thread. */
    externalThreadId?: string | undefined;
  };

/** A message into a session the caller knows (the Sessions API, a mail whose hints found its session). */
export interface IntoSession extends SenderFields {
  kind: 'into-session';
  sessionId: string;
}

/** A line the system writes into a known session (an SMS HELP auto-reply, a call's recording). */
export interface SystemLine extends MessageFields {
  kind: 'system';
  sessionId: string;
  /** Stored as delivered, not dispatched (a recording is a record of the call, not something to send). */
  delivered?: boolean | undefined;
}

export type IngestInput = FromChannel | IntoSession | SystemLine;

export interface IngestResult {
  messageId: string;
  sessionId: string;
  contactId: string;
  channel: { id: string; type: ChannelKind };
  duplicate: boolean;
  sessionCreated: boolean;
}

/** The line the message writer stores for an input, once its session is known. */
export function toLine(input: IngestInput, at: { sessionId: string; channel: { id: string; type: ChannelKind } }): MessageLine {
  const { orgId, text, html, attachments, externalId, raw } = input;
  const line = { orgId, sessionId: at.sessionId, channel: at.channel, text, html, attachments, externalId, raw };
  if (input.kind === 'system') return { ...line, sender: 'system', delivered: input.delivered };
  const { sender, agentId, senderName, private: isPrivate, noTurn, delivered, context, sentAt, sessionCustomData } = input;
  return { ...line, sender, agentId, senderName, private: isPrivate, noTurn, delivered, context, sentAt, sessionCustomData };
}
