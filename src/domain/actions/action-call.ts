import { ACTION_CALL_MS } from '../../ai/action-tools.ts';
import { redactValues } from '../../log-redaction.ts';
import type { GuardedFetch } from '../../net/guarded-fetch.ts';
import { blockedAddressIn, redirectErrorIn, tooLargeIn } from '../../net/outbound-errors.ts';
import type { ActionRequest } from './action-request.ts';

// One action call on the wire, through the outbound guard (src/net/guarded-fetch.ts: the resolved address is
// checked where the connection is made, nothing internal unless OUTBOUND_ALLOW_CIDRS allows it, no redirects),
// with a time limit covering the body and a cap on its size. Every way it can fail becomes a result with an error
// in words, never an exception: a failed action is something to show the agent and tell the AI, not a 5xx. The
// action's secret header values are scrubbed from what comes back (a server may echo its request headers).

/** src/ai/action-tools.ts counts on it for the turn's budget. */
export const ACTION_TIMEOUT_MS = ACTION_CALL_MS;
export const ACTION_MAX_BYTES = 256 * 1024;
/** What of a response body is kept (history, webhooks, the AI's tool result). */
export const RESULT_MAX_CHARS = 8_000;

export interface ActionResult {
  ok: boolean;
  /** The HTTP status, when an answer came. */
  status: number | null;
  /** The response body: parsed JSON when it is JSON and fits, else text, clipped. */
  body: unknown;
  error: string | null;
  durationMs: number;
}

/** Secret values to scrub: each header value, and the credential after a scheme word ("Bearer abc…"). */
export function secretValues(headers: Record<string, string>): string[] {
  return Object.values(headers).flatMap((v) => (v.includes(' ') ? [v, v.slice(v.lastIndexOf(' ') + 1)] : [v]));
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text.length > RESULT_MAX_CHARS) return `${text.slice(0, RESULT_MAX_CHARS)}…`;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      // a JSON content type with a body that is not: keep it as text
    }
  }
  return text;
}

function failure(err: unknown, timedOut: boolean, timeoutMs: number): string {
  const blocked = blockedAddressIn(err);
  if (blocked) return `refused: ${blocked.message}`;
  if (timedOut) return `timeout: no answer within ${timeoutMs} ms`;
  const big = tooLargeIn(err) ?? redirectErrorIn(err);
  if (big) return big.message;
  const cause = (err as { cause?: Error }).cause?.message;
  return `request failed: ${(err as Error).message}${cause ? ` (${cause})` : ''}`;
}

export async function callAction(
  fetch: GuardedFetch,
  request: ActionRequest,
  opts: { signal?: AbortSignal; timeoutMs?: number; secrets?: readonly string[] } = {},
): Promise<ActionResult> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? ACTION_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const scrub = (text: string) => redactValues(text, opts.secrets ?? []);
  const took = () => Date.now() - started;
  try {
    const { method, url, headers, body } = request;
    const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal, maxBytes: ACTION_MAX_BYTES, timeoutMs });
    const text = scrub(await res.text()); // inside the try: a body that stalls or overflows fails here
    const parsed = parseBody(text, res.headers.get('content-type'));
    const ok = res.status >= 200 && res.status <= 299;
    const error = ok ? null : `HTTP ${res.status}${text.trim() ? `: ${text.trim().slice(0, 200)}` : ''}`;
    return { ok, status: res.status, body: parsed, error, durationMs: took() };
  } catch (err) {
    if (opts.signal?.aborted && !timeout.aborted) throw opts.signal.reason;
    return { ok: false, status: null, body: null, error: scrub(failure(err, timeout.aborted, timeoutMs)), durationMs: took() };
  }
}
