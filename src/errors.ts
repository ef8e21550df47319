// Typed errors. The HTTP layer maps them to Open's error body in one place (src/http/errors.ts).

export interface FieldError {
  path: string;
  message: string;
}

export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNPROCESSABLE',
  'TOO_MANY_REQUESTS',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldError[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = STATUS[code];
  }
}

export class ValidationError extends AppError {
  override name = 'ValidationError';
  constructor(message: string, details: FieldError[] = []) {
    super('BAD_REQUEST', message, details);
  }
}

export class UnauthorizedError extends AppError {
  override name = 'UnauthorizedError';
  constructor(message = 'Missing or invalid API key') {
    super('UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends AppError {
  override name = 'ForbiddenError';
  constructor(message = 'This API key is not allowed to do that') {
    super('FORBIDDEN', message);
  }
}

export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

export class ConflictError extends AppError {
  override name = 'ConflictError';
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/** Not genuinely from the provider. Twilio and Meta expect 403 (their SDKs answer so); Slack 401, the default. */
export class WebhookAuthError extends AppError {
  override name = 'WebhookAuthError';
  constructor(message = 'Invalid webhook signature', code: 'UNAUTHORIZED' | 'FORBIDDEN' = 'UNAUTHORIZED') {
    super(code, message);
  }
}

/** Provider media that cannot be fetched: wrong host, too large, or the provider refused. */
export class MediaError extends Error {
  override name = 'MediaError';
}

export class RateLimitedError extends AppError {
  override name = 'RateLimitedError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super('TOO_MANY_REQUESTS', message);
  }
}

/**
 * The gateway is behind: commits wait longer than a provider would (Twilio gives up after 15 s, Slack after 3 s).
 * Answered 503 with Retry-After at once, so the sender retries later instead of timing out on work we cannot
 * commit in time (src/http/load-shedding.ts).
 */
export class OverloadedError extends AppError {
  override name = 'OverloadedError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super('SERVICE_UNAVAILABLE', message);
  }
}

/** How a failed send should be retried; adapters translate every provider failure into this. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly retry: 'never' | 'later' | 'rate-limited',
    readonly extra: {
      retryAfterMs?: number;
      providerCode?: string;
      /** The provider says the recipient opted out (Twilio 21610): core records it on the contact. */
      recipientOptedOut?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: extra.cause });
  }
}
