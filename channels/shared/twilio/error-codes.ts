// Twilio error codes the gateway acts on (https://www.twilio.com/docs/api/errors), worded as `<reason>: <detail>` so
// the reason prefix is what core and the console can group by. Used for both synchronous REST errors and
// status-callback ErrorCodes.

export const WINDOW_CLOSED_MESSAGE =
  'window_closed: WhatsApp replies outside the 24-hour window need an approved template';

const REASONS: Readonly<Record<string, string>> = {
  '21610': 'opted_out: the recipient replied STOP to this sender',
  '21211': 'invalid_recipient: not a valid phone number',
  '21614': 'invalid_recipient: not a mobile number',
  '21408': 'invalid_recipient: the region is not enabled for this account',
  '63003': 'invalid_recipient: not a WhatsApp user',
  '63024': 'invalid_recipient: invalid message recipient',
  '63016': WINDOW_CLOSED_MESSAGE,
  '30003': 'undelivered: unreachable destination handset',
  '30004': 'undelivered: message blocked by the recipient or carrier',
  '30005': 'undelivered: unknown destination handset',
  '30006': 'undelivered: landline or unreachable carrier',
  '30007': 'undelivered: filtered by the carrier',
  '30008': 'undelivered: unknown error from the carrier',
  '30034': 'undelivered: sender not registered for A2P 10DLC',
};

export const OPTED_OUT_CODES: ReadonlySet<string> = new Set(['21610']);
export const INVALID_RECIPIENT_CODES: ReadonlySet<string> = new Set(['21211', '21614', '21408', '63024', '63003']);
export const WINDOW_CLOSED_CODES: ReadonlySet<string> = new Set(['63016']);
export const RATE_LIMIT_CODES: ReadonlySet<string> = new Set(['20429', '63018']);

/** Our wording for a known code, or `provider error <code>`. */
export function describeTwilioCode(code: string): string {
  return REASONS[code] ?? `provider error ${code}`;
}
