import { pino } from 'pino';

// Logs carry ids, not content. A failed database query is the one error that carries content: drizzle's
// DrizzleQueryError puts the query's parameters — a customer's message text, an email's body, a contact's details —
// in its message (`Failed query: …\nparams: …`), its stack and its `params`, and PGlite's errors keep them in
// `params` too. The logger's `err` serializer keeps the SQL and drops the values, whether a call logs the error
// itself (`{ err }`) or only its message (`{ err: err.message }`).

const PARAMS_LINE = '\nparams: ';
const VALUE_FIELDS = ['params', 'parameters'];

/** A failed query's message without its parameters. Other strings are returned as they are. */
export function withoutQueryValues(message: string): string {
  const at = message.indexOf(PARAMS_LINE);
  if (!message.startsWith('Failed query: ') || at < 0) return message;
  return `${message.slice(0, at)} [parameters not logged]`;
}

const isErrorLike = (v: unknown): v is Error => typeof v === 'object' && v !== null && typeof (v as Error).message === 'string';

/** A copy of the error (and its causes) without query parameters; errors that have none are returned as they are. */
export function redactError<T>(err: T, depth = 0): T {
  if (!isErrorLike(err) || depth > 5) return err;
  const message = withoutQueryValues(err.message);
  const cause = redactError((err as { cause?: unknown }).cause, depth + 1);
  const hasValues = VALUE_FIELDS.some((f) => Object.hasOwn(err, f));
  if (message === err.message && cause === (err as { cause?: unknown }).cause && !hasValues) return err;
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Record<string, unknown>;
  for (const [key, value] of Object.entries(err)) if (!VALUE_FIELDS.includes(key)) copy[key] = value;
  const header = `${err.name}: ${err.message}`;
  const frames = err.stack?.startsWith(header) ? err.stack.slice(header.length) : '';
  Object.assign(copy, { name: err.name, message, stack: `${err.name}: ${message}${frames}`, cause });
  return copy as T;
}

/** pino's `err` serializer, fed the redacted error; a string (`err: err.message`) loses its parameters too. */
export function serializeErr(value: unknown): unknown {
  if (typeof value === 'string') return withoutQueryValues(value);
  return pino.stdSerializers.err(redactError(value) as Error);
}

/** Where a secret may echo back (a response body that repeats the request's headers, an error naming a URL). */
const REDACTED = '[redacted]';
/** Secrets shorter than this are not searched for: replacing "1" everywhere would hide more than it protects. */
const MIN_SECRET_CHARS = 6;

/** `text` with every occurrence of the given secret values replaced by [redacted]. */
export function redactValues(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= MIN_SECRET_CHARS) out = out.split(secret).join(REDACTED);
  return out;
}
