import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { AppError, type FieldError, OverloadedError, RateLimitedError } from '../errors.ts';
import { fromDatabaseError } from './db-errors.ts';
import type { AppEnv } from './env.ts';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Open's ErrorDto, plus `details` for field errors and the request id. */
export interface ErrorBody {
  statusCode: number;
  message: string;
  error: string;
  details?: FieldError[];
  request_id?: string;
}

export function zodDetails(error: ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

export function errorBody(status: number, message: string, requestId?: string, details?: FieldError[]): ErrorBody {
  return {
    statusCode: status,
    message,
    error: REASONS[status] ?? 'Error',
    ...(details && details.length > 0 ? { details } : {}),
    ...(requestId ? { request_id: requestId } : {}),
  };
}

/** The one place errors become HTTP responses. Only unexpected errors (5xx) are logged as errors. */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  const requestId = c.get('requestId');
  let status = 500;
  let message = 'Internal server error';
  let details: FieldError[] | undefined;
  const known = err instanceof AppError ? err : fromDatabaseError(err);
  if (known) {
    ({ status, message, details } = known);
  } else if (err instanceof ZodError) {
    status = 400;
    message = 'Validation failed';
    details = zodDetails(err);
  } else if (err instanceof HTTPException) {
    status = err.status;
    message = err.message || REASONS[status] || 'Error';
  }
  const log = c.get('log');
  // Shedding is the plan working, counted in switchboard_http_requests_total{status="503"}: not an error per request.
  if (status >= 500 && !(err instanceof OverloadedError)) log?.error({ err }, 'request failed');
  else log?.debug({ status, message }, 'request refused');
  if (err instanceof RateLimitedError || err instanceof OverloadedError) c.header('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
  return c.json(errorBody(status, message, requestId, details), status as ContentfulStatusCode);
}

export function notFoundHandler(c: Context<AppEnv>): Response {
  return c.json(errorBody(404, `No route for ${c.req.method} ${c.req.path}`, c.get('requestId')), 404);
}
