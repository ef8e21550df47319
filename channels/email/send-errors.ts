import { DeliveryError } from '../../src/errors.ts';

// SMTP's verdict, translated for the dispatch worker (RFC 5321 §4.2.1): 4xx and a relay we could not
// reach are worth retrying; 5xx is the server's final word, kept as the reason agents see.

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'ESOCKET', 'ECONNECTION', 'EDNS', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** `550 5.1.1 <x@y>: user unknown` (possibly multi-line `550-…`) → `5.1.1 <x@y>: user unknown`. */
function serverText(response: string): string {
  return response
    .split(/\r?\n/)
    .map((l) => l.replace(/^\d{3}[- ]?/, '').trim())
    .filter(Boolean)
    .join(' ')
    .slice(0, 500);
}

export function smtpDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = (err ?? {}) as SmtpError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (code !== undefined && code >= 400 && code < 600) {
    const text = e.response ? serverText(e.response) : (e.message ?? '');
    return new DeliveryError(`smtp ${code}: ${text}`, code < 500 ? 'later' : 'never', { providerCode: String(code), cause: err });
  }
  const errno = e.code ?? '';
  const message = `smtp ${errno || 'error'}: ${e.message ?? String(err)}`.slice(0, 500);
  // Authentication, envelope and message errors are the config's or the message's fault: retrying cannot help.
  if (['EAUTH', 'EENVELOPE', 'EMESSAGE', 'ETLS', 'EPROTOCOL'].includes(errno)) {
    return new DeliveryError(message, 'never', { providerCode: errno, cause: err });
  }
  // A relay we could not reach or that hung up; unknown failures are retried too (bounded by the queue's attempts).
  const extra = { ...(errno ? { providerCode: errno } : {}), cause: err };
  if (TRANSIENT_CODES.has(errno)) return new DeliveryError(message, 'later', extra);
  return new DeliveryError(message, 'later', extra);
}
