import { DeliveryError } from '../../../src/errors.ts';
import { WINDOW_CLOSED_ERROR } from './status.ts';

// Graph API failures → DeliveryError (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
// Meta's code decides before the HTTP status, because Graph answers throughput limits with 400 as often as with 429.

interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_data?: { details?: string };
  fbtrace_id?: string;
}

const RATE_LIMITED = new Set([130429, 4, 80007, 131056]);
const TRANSIENT = new Set([1, 2, 131000]);
const UNDELIVERABLE = new Set([131026, 131051, 100, 131009]);
const DEFAULT_RETRY_MS = 2000;

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

function graphErrorOf(text: string): GraphError {
  try {
    const body: unknown = JSON.parse(text);
    const error = (body as { error?: unknown } | null)?.error;
    return error && typeof error === 'object' ? (error as GraphError) : {};
  } catch {
    return {};
  }
}

export function deliveryErrorFrom(status: number, headers: Headers, bodyText: string, now: Date): DeliveryError {
  const err = graphErrorOf(bodyText);
  const code = typeof err.code === 'number' ? err.code : undefined;
  const providerCode = code === undefined ? {} : { providerCode: String(code) };
  const meta = `${err.message ?? `HTTP ${status}`}${err.error_data?.details ? `: ${err.error_data.details}` : ''}`;

  if (status === 429 || (code !== undefined && RATE_LIMITED.has(code))) {
    const retry = retryAfterMs(headers.get('retry-after'), now) ?? DEFAULT_RETRY_MS;
    return new DeliveryError(`WhatsApp rate limit: ${meta}`, 'rate-limited', { retryAfterMs: retry, ...providerCode });
  }
  if (code === 131047) return new DeliveryError(WINDOW_CLOSED_ERROR, 'never', providerCode);
  if (code === 190) return new DeliveryError('access token expired or invalid (190)', 'never', providerCode);
  if (code !== undefined && UNDELIVERABLE.has(code)) return new DeliveryError(meta, 'never', providerCode);
  if (status >= 500 || (code !== undefined && TRANSIENT.has(code))) {
    return new DeliveryError(`WhatsApp temporary failure: ${meta}`, 'later', providerCode);
  }
  return new DeliveryError(`WhatsApp refused the message: ${meta}`, status >= 400 ? 'never' : 'later', providerCode);
}
