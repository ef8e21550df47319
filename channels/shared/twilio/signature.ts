import twilio from 'twilio';
import type { RawWebhook } from '../../../src/domain/model/adapter.ts';
import { WebhookAuthError } from '../../../src/errors.ts';

// Twilio signs the URL it was configured with plus every POST param
// (https://www.twilio.com/docs/usage/webhooks/webhooks-security). `req.url` is rebuilt from
// PUBLIC_URL by the ingress route, never taken from the Host header. The SDK's validateRequest also tries the URL
// with and without an explicit port. Twilio's own middleware answers 403 on a mismatch: so do we.

/** The form params of a Twilio webhook, repeated names as arrays (as validateRequest wants them). */
export function formParams(body: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const prev = params[name];
    params[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return params;
}

/** Throws WebhookAuthError (403) unless X-Twilio-Signature is the account's signature of this request. */
export function verifyTwilioSignature(authToken: string, req: RawWebhook): void {
  const signature = req.headers.get('x-twilio-signature');
  if (!signature) throw new WebhookAuthError('Missing X-Twilio-Signature header', 'FORBIDDEN');
  // GET webhooks carry their params in the URL, which the signature already covers.
  const params = req.method.toUpperCase() === 'GET' ? {} : formParams(req.body);
  if (!twilio.validateRequest(authToken, signature, req.url, params)) {
    throw new WebhookAuthError('X-Twilio-Signature does not match this request', 'FORBIDDEN');
  }
}

/** A single param as a string ('' when absent; the first when repeated). */
export function param(params: Record<string, string | string[]>, name: string): string {
  const v = params[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}
