import { AsyncLocalStorage } from 'node:async_hooks';
import twilio from 'twilio';
import type { TwilioMessagingConfig } from './config.ts';

// The real twilio SDK, pointed at `api_base_url` (Twilio, or the sandbox peer). The SDK only knows hostnames, so a
// RequestClient subclass rewrites the origin of every URI it builds. The SDK takes no AbortSignal
// and drops response headers from its errors: a per-call context (AsyncLocalStorage, so concurrent sends on one
// client never mix) carries the caller's signal into axios and brings Retry-After back out.

const TWILIO_API_ORIGIN = 'https://api.twilio.com';
const REQUEST_TIMEOUT_MS = 15_000;

export interface TwilioCallContext {
  signal?: AbortSignal;
  /** Set from the last response's Retry-After header, if it had one. */
  retryAfterMs?: number;
}

const callContext = new AsyncLocalStorage<TwilioCallContext>();

/** Run one SDK call with its signal; the context afterwards holds what the response said about retrying. */
export function inTwilioCall<T>(ctx: TwilioCallContext, call: () => Promise<T>): Promise<T> {
  return callContext.run(ctx, call);
}

type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];

class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ timeout: REQUEST_TIMEOUT_MS, keepAlive: true });
    this.axios.interceptors.request.use((config) => {
      const signal = callContext.getStore()?.signal;
      if (signal) config.signal = signal;
      return config;
    });
  }

  override async request<TData>(opts: RequestOptions & { data?: TData }) {
    const uri = opts.uri.startsWith(TWILIO_API_ORIGIN) ? this.baseUrl + opts.uri.slice(TWILIO_API_ORIGIN.length) : opts.uri;
    const res = await super.request<TData>({ ...opts, uri });
    const ctx = callContext.getStore();
    const retryAfter = retryAfterMs(res.headers?.['retry-after']);
    if (ctx && retryAfter !== undefined) ctx.retryAfterMs = retryAfter;
    return res;
  }
}

/** Retry-After as seconds or an HTTP date, in ms. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** REST credentials: the API key when one is configured, else the account's token. */
export function restCredentials(config: TwilioMessagingConfig): { username: string; password: string } {
  return config.api_key_sid && config.api_key_secret
    ? { username: config.api_key_sid, password: config.api_key_secret }
    : { username: config.account_sid, password: config.auth_token };
}

export type TwilioClient = ReturnType<typeof twilio>;

/** One client per adapter instance (never shared across channels). */
export function createTwilioClient(config: TwilioMessagingConfig): TwilioClient {
  const { username, password } = restCredentials(config);
  return twilio(username, password, {
    accountSid: config.account_sid,
    httpClient: new BaseUrlRequestClient(config.api_base_url),
    // Empty env, edge and region: TWILIO_EDGE/REGION in the process env would rewrite the hostname past our base URL.
    env: {},
    edge: '',
    region: '',
  });
}
