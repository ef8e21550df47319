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
  /**
   * Where the message may belong, for channels whose threads are only hints (email): ids it replies to (In-Reply-To
   * and References, without angle brackets), the token of a plus-address it was sent to, and its normalized subject.
   * Core resolves them in that order (channels/email/server/mail-threading.ts); externalThreadId is not used then.
   */
  threading?: { references: string[]; replyToken?: string; subjectKey?: string };
  /**
   * Mail no person wrote to us: an auto-reply, a bounce, a list or newsletter, or our own mail coming back. It is
   * stored in its thread when it has one, never answered, and never opens a session.
   */
  automated?: 'auto_reply' | 'bounce' | 'list' | 'own';
  /** A bounce's verdict on one of our messages (by our message id from a VERP address, or its Message-ID). */
  bounce?: { messageId?: string; originalIds: string[]; action: string; status?: string; diagnostic?: string };
  /** Problems noticed while parsing (e.g. `malformed_mime`); kept on the message, shown to agents. */
  flags?: string[];
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
  /** The session's provider thread id, for channels whose capabilities say `threads`. */
  externalThreadId?: string;
  subject?: string;
  /** Who wrote the reply: AI replies are marked as automatic where the channel can say so (email's Auto-Submitted). */
  senderType?: 'ai' | 'agent' | 'system';
  /**
   * Threading for channels that thread by headers (email): the ids this reply answers (the customer's last
   * message, and its References), and the token of the session's reply address.
   */
  threading?: { inReplyTo?: string; references: string[]; replyToken: string };
  /**
   * Set when the channel's reply window (capabilities.replyWindowMs) has closed: free-form text will not be
   * delivered, so the adapter sends its configured template, or throws DeliveryError 'never' (window_closed).
   */
  windowClosed?: boolean;
  /**
   * The CSAT question (src/domain/csat), on its first part: channels that ask with buttons (capabilities.csat
   * `buttons`) draw five, each answering with this token and its score; the text asks for a digit reply as well.
   */
  rating?: { token: string };
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
