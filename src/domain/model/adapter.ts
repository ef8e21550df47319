import type { z } from 'zod';
import type { ChannelKind } from './enums.ts';
import type { CallAnswer, CallEvent } from './call.ts';
import type { AttachmentRef, DeliveryUpdate, InboundMessage, OutboundMessage, SendReceipt } from './messages.ts';
import type { RealtimePublisher } from './realtime.ts';

// The contract every channel adapter implements. Adapters are translators at the edge:
// verify, parse, send, capabilities. They never touch the database or the queues.

export interface RawWebhook {
  method: string;
  url: string;
  /** The sub-path under /webhooks/:channelId (e.g. `inbound`, `status`). */
  subPath: string;
  headers: Headers;
  /** The body as text (UTF-8). */
  body: string;
  /** The body's bytes, exactly as received (MIME in 8-bit charsets); core's ingress always sets them. */
  bytes?: Uint8Array;
  receivedAt: Date;
}

/** How a mail came in through one of core's own trusted transports (the SMTP listener, IMAP polling). */
export interface MailEnvelope {
  transport: 'smtp' | 'imap';
  /** SMTP MAIL FROM ('' for the null sender of bounces); undefined for IMAP. */
  mailFrom?: string;
  /** SMTP RCPT TO addresses. */
  rcptTo: string[];
}

export type ParseOutcome =
  /** `updates`: one provider POST may carry messages and delivery statuses together (Meta). */
  | { type: 'messages'; messages: InboundMessage[]; updates?: DeliveryUpdate[]; ack?: Response }
  | { type: 'status'; updates: DeliveryUpdate[]; ack?: Response }
  | { type: 'handshake'; ack: Response }
  /**
   * The provider installed the app (an OAuth callback): core merges `configPatch` into the channel's config (secret
   * fields sealed as usual) and answers with `ack`.
   */
  | { type: 'install'; configPatch: Record<string, unknown>; ack: Response }
  /** A step of a phone call: core stores what it carries and asks the adapter to answer (answerCall). */
  | { type: 'call'; event: CallEvent }
  /**
   * A customer's answer to a CSAT question asked with buttons (OutboundMessage.rating): core records it, then calls
   * `confirm` (not awaited by the provider's answer) so the adapter can show the customer it was taken.
   */
  | { type: 'rating'; token: string; score: number; ack?: Response; confirm?: (result: { recorded: boolean; score: number }) => Promise<void> }
  | { type: 'ignored'; reason: string; ack?: Response };

/** What core asks instead of switching on channel names. */
export interface ChannelCapabilities {
  maxTextLength: number;
  textFormat: 'plain' | 'markdown' | 'html' | 'slack-mrkdwn';
  /** How long after the customer's last message we may still write (WhatsApp: 24 h); null = no window. */
  replyWindowMs: number | null;
  /**
   * The provider keeps threads of its own (Slack's thread_ts, a call's sid): inbound messages carry the thread id a
   * session is found by, and replies are given it back (OutboundMessage.externalThreadId).
   */
  threads: boolean;
  /**
   * Replies are threaded by headers we write (email: In-Reply-To, References and a reply address carrying the
   * session's token): dispatch gives each reply its `threading`, and inbound mail finds its session through the
   * channel server's resolveSession.
   */
  threadsByHeaders: boolean;
  attachments: boolean;
  /**
   * What handing a reply to the provider again does when a process died between the provider call and its
   * record, so nobody knows whether it left: `dedupes`, the receiver drops a repeat of our id (web chat; email,
   * whose Message-ID we derive from it); `reports`, the provider's status callbacks carry our id, so a reply it
   * took is found sent by waiting for them; `repeats`, a second copy would reach the customer. Dispatch uses it to
   * decide between sending again, waiting, and asking the adapter (findSent).
   */
  resend: 'dedupes' | 'reports' | 'repeats';
  /**
   * How a satisfaction rating is asked for once a session is resolved (src/domain/csat): `digits`, a message the
   * customer answers with 1–5; `buttons`, the same with five buttons the adapter draws (OutboundMessage.rating) and
   * reports as a `rating` parse outcome; `links`, five signed links in the message; `rating-row`, the web chat draws
   * a row under it; null, never asked (no customer to ask, as for the API).
   */
  csat: 'digits' | 'buttons' | 'links' | 'rating-row' | null;
}

/** Bytes fetched from the provider (media of an inbound message). */
export interface FetchedMedia {
  bytes: Uint8Array;
  contentType: string;
  filename?: string;
}

/** The channel an adapter instance serves: its id and the webhook URLs the admin pasted into the provider. */
export interface ChannelInfo {
  id: string;
  /** By name, as the module's webhookPaths (inbound, status, voice…), absolute, built from PUBLIC_URL. */
  webhookUrls: Readonly<Record<string, string>>;
}

/**
 * The bytes of a reply's attachment, however core holds them: read from the blob store when the ref names a blob,
 * else fetched from its URL through the outbound guard (src/net/guarded-fetch.ts: public addresses only, a few
 * checked redirects, time and byte limits). Refuses more than `maxBytes`. Throws DeliveryError only: a blocked,
 * unreachable or oversized attachment is 'never' (the message fails at once, later replies still go).
 */
export type LoadAttachment = (ref: AttachmentRef, maxBytes: number, signal: AbortSignal) => Promise<Uint8Array>;

export interface AdapterDeps {
  /** For provider APIs only (hosts the adapter allow-lists). Caller-chosen URLs go through loadAttachment. */
  fetch: typeof fetch;
  loadAttachment: LoadAttachment;
  now: () => Date;
  /** The externally visible base URL, for signature checks and webhook URLs. */
  publicUrl: string;
  /** Signals to web chat sockets on any gateway process (Redis pub/sub). */
  realtime: RealtimePublisher;
}

/** Who a typing indicator is about. */
export interface TypingSender {
  type: 'ai' | 'human_agent';
  name: string | null;
}

export interface ChannelAdapter {
  readonly kind: ChannelKind;
  readonly capabilities: ChannelCapabilities;
  /** Throws WebhookAuthError when the request is not genuinely from the provider. */
  verify(req: RawWebhook): Promise<void>;
  parse(req: RawWebhook): Promise<ParseOutcome>;
  /** Throws DeliveryError only. */
  send(msg: OutboundMessage, signal: AbortSignal): Promise<SendReceipt>;
  /**
   * Fetch an inbound attachment's bytes from the provider, with the provider's auth, only from the provider's own
   * hosts, refusing more than `maxBytes` (throws MediaError). Core stores the bytes in the blob store.
   */
  fetchMedia?(ref: AttachmentRef, maxBytes: number, signal: AbortSignal): Promise<FetchedMedia>;
  /**
   * Who a sender is (name, email), from the provider's directory (Slack users.info). Core asks once per contact,
   * when it has no name for them yet, and keeps the answer on the contact. Best effort: undefined when unknown.
   */
  lookupContact?(address: string, signal: AbortSignal): Promise<{ name?: string; email?: string } | undefined>;
  /**
   * Mail channels: parse a raw RFC 5322 message that arrived through a trusted transport of core's (nothing to
   * verify). The HTTP raw-MIME webhook goes through verify + parse instead.
   */
  parseMail?(raw: Uint8Array, envelope: MailEnvelope): Promise<ParseOutcome>;
  /** Voice channels: the provider's answer (TwiML) to a call step, once core has stored what it carried. */
  answerCall?(answer: CallAnswer): Response;
  /**
   * After a crash mid-send: whether the provider already has this reply, sent no earlier than `since` (when the
   * send began). undefined when it has not; throws when the provider cannot tell (dispatch then waits or resends).
   */
  findSent?(msg: OutboundMessage, since: Date, signal: AbortSignal): Promise<SendReceipt | undefined>;
  /** Show or hide a typing indicator to the customer, where the channel has one; best effort. */
  typing?(to: OutboundMessage['to'], sender: TypingSender, active: boolean): Promise<void>;
}

export interface AdapterModule<C extends Record<string, unknown> = Record<string, unknown>> {
  kind: ChannelKind;
  /** Providers this module speaks for the kind (e.g. `twilio`, `meta`); the first is the default. */
  providers: readonly [string, ...string[]];
  /** What the console calls it ("WhatsApp (Meta Cloud API)"): the kind, and the provider where it is a third party. */
  label: string;
  configSchema: z.ZodType<C>;
  /** Config keys holding secrets: stored encrypted, never returned by the API. */
  secretFields: readonly string[];
  /**
   * Config keys naming where credentials are sent (a base URL, a mail server's host and port), each with the secret
   * fields that go there. A PATCH changing one must give those secrets again (core enforces it,
   * src/domain/channels/channel-config.ts): the stored ones are never sent to a place they were not entered for.
   */
  credentialDestinations: Readonly<Record<string, readonly string[]>>;
  /** Sub-paths under /webhooks/:channelId to show the admin, by name (inbound, status, voice, events…). */
  webhookPaths: Readonly<Record<string, string>>;
  capabilities: ChannelCapabilities;
  /**
   * Every new organization gets one channel of this kind, with this name (the REST API's own, the website's chat).
   * `builtIn`: the organization's own channel — POST /chat/sessions without a channel opens sessions on it, and the
   * first one cannot be deleted.
   */
  provision?: { name: string; builtIn?: boolean };
  create(config: C, deps: AdapterDeps, channel: ChannelInfo): ChannelAdapter;
}
