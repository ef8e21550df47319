import { isIP } from 'node:net';
import { ValidationError } from '../errors.ts';
import { type AddressPolicy, describeRefusal } from './address-policy.ts';

// The early, friendly half of the guard: a URL whose host is an IP literal the policy refuses (127.0.0.1, [::1],
// 0.0.0.0, and spellings WHATWG URL turns into them: 2130706433, 127.1, 0x7f.1) is refused when it is stored,
// with a 400 that says why. Names are not resolved here — a name's addresses can change — so the check that
// counts is the one made when connecting (guarded-connector.ts).

/** Why `url` points at a refused literal address, or undefined (not a URL, a name, or an allowed address). */
export function literalAddressRefusal(policy: AddressPolicy, url: string): string | undefined {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const literal = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const refusal = isIP(literal) ? policy.refusal(literal) : undefined;
  return refusal && describeRefusal(literal, refusal);
}

/** A 400 naming the field when `url` points at a refused literal address. */
export function assertOutboundUrl(policy: AddressPolicy, url: string, path: string): void {
  const reason = literalAddressRefusal(policy, url);
  if (!reason) return;
  const message = `${reason}: Switchboard sends no requests to loopback, private or other internal addresses (an operator can allow ranges with OUTBOUND_ALLOW_CIDRS)`;
  throw new ValidationError(`${path}: ${message}`, [{ path, message }]);
}
