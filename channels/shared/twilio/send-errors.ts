import { DeliveryError } from '../../../src/errors.ts';
import {
  INVALID_RECIPIENT_CODES,
  OPTED_OUT_CODES,
  RATE_LIMIT_CODES,
  WINDOW_CLOSED_CODES,
  WINDOW_CLOSED_MESSAGE,
} from './error-codes.ts';

// Every failure of a Twilio REST call becomes a DeliveryError whose `retry` tells the dispatch worker what to do.
// The SDK throws RestException (legacy body) or TwilioServiceException (RFC 9457 body): both carry a numeric
// `status` and usually `code`; anything without a status never got an HTTP answer (network, timeout, abort).

const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;

interface TwilioHttpError {
  status: number;
  code?: number;
  message?: string;
  detail?: string;
}

function isTwilioHttpError(err: unknown): err is TwilioHttpError {
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number';
}

export interface SendFailureContext {
  /** The caller's signal had fired: whatever the error looks like, it is ours, not Twilio's. */
  aborted: boolean;
  retryAfterMs?: number;
}

export function classifyTwilioSendError(err: unknown, ctx: SendFailureContext): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (ctx.aborted) return new DeliveryError('send aborted before Twilio answered', 'later', { cause: err });
  if (!isTwilioHttpError(err)) {
    const what = err instanceof Error ? err.message : String(err);
    // No answer, so Twilio may or may not have accepted it: core decides whether to resend.
    return new DeliveryError(`Twilio unreachable: ${what}`, 'later', { cause: err });
  }

  const providerCode = err.code === undefined ? undefined : String(err.code);
  const twilioMessage = err.detail ?? err.message ?? `HTTP ${err.status}`;
  const extra = { providerCode, cause: err };

  if (err.status === 429 || (providerCode && RATE_LIMIT_CODES.has(providerCode))) {
    return new DeliveryError(`rate_limited: ${twilioMessage}`, 'rate-limited', {
      ...extra,
      retryAfterMs: ctx.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
    });
  }
  if (err.status >= 500) return new DeliveryError(`Twilio error ${err.status}: ${twilioMessage}`, 'later', extra);
  if (providerCode && OPTED_OUT_CODES.has(providerCode)) {
    return new DeliveryError(`opted_out: ${twilioMessage}`, 'never', { ...extra, recipientOptedOut: true });
  }
  if (providerCode && INVALID_RECIPIENT_CODES.has(providerCode)) {
    return new DeliveryError(`invalid_recipient: ${twilioMessage}`, 'never', extra);
  }
  if (providerCode && WINDOW_CLOSED_CODES.has(providerCode)) {
    return new DeliveryError(WINDOW_CLOSED_MESSAGE, 'never', extra);
  }
  return new DeliveryError(twilioMessage, 'never', extra);
}
