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
  /**
   * A keyword the channel treats as a command, not conversation (SMS STOP / START / HELP): opt_out and opt_in
   * change whether anything may be sent to the contact on this channel; none of them gets an AI turn.
   */
  control?: 'opt_out' | 'opt_in' | 'help';
  /** Sent back at once instead of a turn (HELP's configured text). */
  autoReply?: string;
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
  /**
   * Set when the channel's reply window (capabilities.replyWindowMs) has closed: free-form text will not be
   * delivered, so the adapter sends its configured template, or throws DeliveryError 'never' (window_closed).
   */
  windowClosed?: boolean;
}

export interface SendReceipt {
  externalId: string;
  status: DeliveryStatus;
}

export interface DeliveryUpdate {
  externalId: string;
  /** Our message id, when the provider echoes it (Twilio: the `o` query of the StatusCallback URL we gave). */
  messageId?: string;
  status: DeliveryStatus;
  error?: string;
  providerCode?: string;
}
