import { timingSafeEqual } from 'node:crypto';

// What the Twilio peer remembers, shared by its request handlers and the helpers tests call.

export interface SentMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  mediaUrls: string[];
  statusCallback?: string;
  contentSid?: string;
  contentVariables?: string;
  messagingServiceSid?: string;
  at: Date;
}

/** A scripted failure of the next create: Twilio's HTTP status, error code and message. */
export interface TwilioFailure {
  status: number;
  code: number;
  message: string;
  /** Seconds (or an HTTP date) for the Retry-After header. */
  retryAfter?: number | string;
}

export interface StatusOutcome {
  status: 'undelivered' | 'failed';
  errorCode: number | string;
}

export interface StatusCallbackRecord {
  url: string;
  params: Record<string, string>;
  /** Our webhook's HTTP answer, or null when it could not be reached. */
  answer: number | null;
  at: Date;
}

export interface PeerState {
  url: string;
  accountSid: string;
  authToken: string;
  apiKeys: Map<string, string>;
  sent: SentMessage[];
  optedOut: Set<string>;
  failures: TwilioFailure[];
  outcomes: Map<string, StatusOutcome>;
  /** WhatsApp: when each customer last wrote, for the 24-hour window. */
  lastInbound: Map<string, Date>;
  statusCallbacks: StatusCallbackRecord[];
  autoStatus: boolean;
  fetch: typeof fetch;
  /** Aborts in-flight callbacks on close(). */
  shutdown: AbortController;
  /** Callbacks not yet started, cleared on close(). */
  timers: Set<ReturnType<typeof setTimeout>>;
  /** Wakes whoever waits for sent messages or callbacks. */
  changed(): void;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Twilio accepts the account's own SID + token, or an API key SID + secret of that account. */
export function isAuthorized(state: PeerState, creds: { username: string; password: string } | undefined): boolean {
  if (!creds) return false;
  if (creds.username === state.accountSid) return sameSecret(creds.password, state.authToken);
  const secret = state.apiKeys.get(creds.username);
  return secret !== undefined && sameSecret(creds.password, secret);
}

/** `whatsapp:+1…` → `+1…`. */
export function e164(address: string): string {
  return address.replace(/^whatsapp:/i, '');
}
