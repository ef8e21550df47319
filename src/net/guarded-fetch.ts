import { Agent, fetch as undiciFetch } from 'undici';
import type { AddressPolicy } from './address-policy.ts';
import { type GuardedConnectorOptions, guardedConnector } from './guarded-connector.ts';
import { RedirectError } from './outbound-errors.ts';
import { byteLimited } from './response-limit.ts';

// The one way out for requests to URLs that a user, agent, admin or customer chose (attachment links, webhook
// endpoints, the AI base URL). undici's own fetch over an Agent whose connect hook checks every address
// (guarded-connector.ts), so each connection — the first and every redirect hop's — is checked where it is made.
// Redirects are followed only when the caller asks (a few, GET/HEAD only), each one a new checked request;
// every call has a time limit covering the body, and a byte limit on it. Provider APIs (Twilio, Meta, Slack, SMTP)
// do not come through here: their adapters keep their own host allow-lists and plain fetch.

export interface GuardedInit {
  method?: string;
  headers?: Record<string, string> | Headers | [string, string][];
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** Redirects to follow (GET/HEAD only); 0, the default, answers a 3xx as it is. */
  maxRedirects?: number;
  /** Largest body; more makes reading it fail with ResponseTooLargeError. */
  maxBytes?: number;
  /** For the whole exchange, body included. */
  timeoutMs?: number;
}

export type GuardedFetch = (url: string | URL, init?: GuardedInit) => Promise<Response>;

export interface OutboundClient {
  policy: AddressPolicy;
  fetch: GuardedFetch;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
/** The longest an AI endpoint may be given (src/domain/organization/ai-settings.ts timeout_ms), so callers' own limits hold. */
export const DEFAULT_TIMEOUT_MS = 120_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Credentials are for the origin they were given to, not wherever it redirects. */
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

export function createOutboundClient(opts: GuardedConnectorOptions): OutboundClient {
  const agent = new Agent({ connect: guardedConnector(opts) });
  const fetch: GuardedFetch = (url, init = {}) => request(agent, new URL(url), init);
  return { policy: opts.policy, fetch, close: () => agent.close() };
}

async function request(agent: Agent, first: URL, init: GuardedInit): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const maxRedirects = method === 'GET' || method === 'HEAD' ? (init.maxRedirects ?? 0) : 0;
  const timeout = AbortSignal.timeout(init.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  const headers = new Headers(init.headers);
  let url = first;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RedirectError(`refused to follow a redirect to ${url.protocol}`);
    const res = await undiciFetch(url, {
      method,
      headers: [...headers],
      ...(init.body !== undefined ? { body: init.body } : {}),
      redirect: 'manual',
      signal,
      dispatcher: agent,
    });
    const location = res.headers.get('location');
    if (maxRedirects === 0 || !REDIRECT_STATUSES.has(res.status) || location === null) {
      return byteLimited(res, init.maxBytes ?? DEFAULT_MAX_BYTES);
    }
    await res.body?.cancel().catch(() => {});
    if (hop >= maxRedirects) throw new RedirectError(`more than ${maxRedirects} redirects`);
    const next = resolveLocation(location, url);
    if (next.origin !== url.origin) for (const name of ORIGIN_BOUND_HEADERS) headers.delete(name);
    url = next;
  }
}

function resolveLocation(location: string, base: URL): URL {
  try {
    return new URL(location, base);
  } catch {
    throw new RedirectError('a redirect without a valid Location');
  }
}
