import type { ChannelKind, DeliveryStatus } from './enums.ts';

// The canonical shapes adapters produce and consume. Plain types: no database, no queue.

export interface AttachmentRef {
  filename: string;
  contentType: string;
  size?: number;
  /** Where the bytes can be fetched (provider media URL, or a URL given by an API caller). */
  url?: string;
  /** Inline bytes, base64 (API callers may send files this way); dropped once stored in the blob store. */
  base64?: string;
  /** Set once the bytes are in the blob store. */
  blobKey?: string;
  sha256?: string;
}

export interface InboundMessage {
  channel: ChannelKind;
  channelId: string;
  /** The provider's message id: the dedupe key. */
  externalId: string;
  /** Channel-native conversation key (Slack thread, email thread), when the channel has threads. */
  externalThreadId?: string;
  from: { address: string; name?: string; email?: string; phone?: string };
  text: string;
  html?: string;
  subject?: string;
  attachments: AttachmentRef[];
  sentAt: Date;
  /** Stored as received; never read by core. */
  raw: unknown;
}

export interface OutboundMessage {
  messageId: string;
  sessionId: string;
  /** The customer: their address on the channel, and their contact id (web chat signals sockets by it). */
  to: { address: string; name?: string; contactId?: string };
  text: string;
  html?: string;
  attachments: AttachmentRef[];
  externalThreadId?: string;
  subject?: string;
}

export interface SendReceipt {
  externalId: string;
  status: DeliveryStatus;
}

export interface DeliveryUpdate {
  externalId: string;
  status: DeliveryStatus;
  error?: string;
  providerCode?: string;
}
