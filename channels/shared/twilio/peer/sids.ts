import { randomBytes } from 'node:crypto';

// Twilio resource ids: a two-letter type prefix and 32 hex digits (AC account, SM/MM message, ME media, SK key).

export function twilioSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** An auth token looks like 32 hex digits too. */
export function twilioToken(): string {
  return randomBytes(16).toString('hex');
}

/** RFC 2822 as Twilio writes it: `Thu, 24 Aug 2023 05:01:45 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}
