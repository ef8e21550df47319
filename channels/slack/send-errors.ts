import { webApi } from '@slack/bolt';
import { DeliveryError } from '../../src/errors.ts';

// @slack/web-api failures → DeliveryError (https://api.slack.com/web). Slack answers API errors as HTTP 200
// {ok:false, error}: those are about the token, the conversation or the message, and retrying cannot fix them —
// except the few Slack documents as transient. A 429 carries Retry-After; HTTP and network failures may pass.

const { ErrorCode } = webApi;

/** Slack's own "try again" platform errors. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
const DEFAULT_RETRY_MS = 1000;

interface SlackSdkError {
  code?: unknown;
  retryAfter?: unknown;
  data?: { error?: unknown };
  statusCode?: unknown;
  message?: string;
}

export function deliveryErrorFrom(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = (err ?? {}) as SlackSdkError;
  switch (e.code) {
    case ErrorCode.RateLimitedError: {
      const seconds = typeof e.retryAfter === 'number' && e.retryAfter >= 0 ? e.retryAfter : undefined;
      return new DeliveryError(`slack: rate limited${seconds === undefined ? '' : `, retry after ${seconds}s`}`, 'rate-limited', {
        retryAfterMs: seconds === undefined ? DEFAULT_RETRY_MS : seconds * 1000,
        providerCode: 'ratelimited',
        cause: err,
      });
    }
    case ErrorCode.PlatformError: {
      const code = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
      if (code === 'ratelimited') {
        return new DeliveryError('slack: ratelimited', 'rate-limited', { retryAfterMs: DEFAULT_RETRY_MS, providerCode: code, cause: err });
      }
      return new DeliveryError(`slack: ${code}`, TRANSIENT.has(code) ? 'later' : 'never', { providerCode: code, cause: err });
    }
    case ErrorCode.HTTPError:
      return new DeliveryError(`slack: HTTP ${String(e.statusCode)}`, 'later', { cause: err });
    case ErrorCode.RequestError:
      return new DeliveryError(`slack: request failed: ${e.message ?? 'network error'}`, 'later', { cause: err });
    case ErrorCode.FileUploadInvalidArgumentsError:
    case ErrorCode.FileUploadReadFileDataError:
      return new DeliveryError(`slack: ${e.message ?? 'invalid file upload'}`, 'never', { cause: err });
    default:
      return new DeliveryError(`slack: ${(err as Error)?.message ?? String(err)}`, 'later', { cause: err });
  }
}
