import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

// Which IP addresses Switchboard may connect to on behalf of a URL someone gave it (attachment links, webhook
// endpoints, the AI base URL). Only public unicast addresses, unless the operator allows a range explicitly
// (OUTBOUND_ALLOW_CIDRS): loopback, private, link-local (cloud metadata at 169.254.169.254), CGNAT, multicast,
// unspecified, broadcast and reserved addresses are refused, and so are IPv6 forms that embed an IPv4 address
// (mapped, compatible, NAT64, 6to4, Teredo), since they may lead back to one of those.
// Ranges are ipaddr.js's (https://github.com/whitequark/ipaddr.js), after process() turns ::ffff:a.b.c.d into a.b.c.d.

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Why an address is refused: which address (IPv4-mapped forms as their IPv4) and what it is. */
export interface Refusal {
  address: string;
  /** e.g. "a loopback address". */
  what: string;
}

export interface AddressPolicy {
  /** Why `ip` may not be connected to, or undefined when it may. */
  refusal(ip: string): Refusal | undefined;
}

/**
 * The refusal in words for a request to `host`: "127.0.0.1 is a loopback address" for an IP literal; for a name,
 * "intranet.example resolves to a private address" (the internal address itself is not repeated back to whoever
 * chose the name).
 */
export function describeRefusal(host: string, refusal: Refusal): string {
  if (!isIP(host)) return `${host} resolves to ${refusal.what}`;
  return host === refusal.address ? `${host} is ${refusal.what}` : `${host} (${refusal.address}) is ${refusal.what}`;
}

const RANGE_WORDS: Record<string, string> = {
  unspecified: 'an unspecified',
  loopback: 'a loopback',
  private: 'a private',
  uniqueLocal: 'a private (unique local)',
  linkLocal: 'a link-local',
  carrierGradeNat: 'a carrier-grade NAT',
  multicast: 'a multicast',
  broadcast: 'a broadcast',
  reserved: 'a reserved',
  benchmarking: 'a benchmarking',
  ipv4Mapped: 'an IPv4-mapped',
  rfc6145: 'an IPv4-translated',
  rfc6052: 'a NAT64',
  '6to4': 'a 6to4',
  teredo: 'a Teredo',
};

/** ::a.b.c.d, the deprecated IPv4-compatible form: ipaddr.js calls it unicast, but it names an IPv4 address. */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/**
 * Parses `a.b.c.d/n` or `x::/n`, throwing on anything else (config.ts validates OUTBOUND_ALLOW_CIDRS with it). IPv4
 * must be four decimal parts: ipaddr.js would otherwise read `10/8` as 0.0.0.10/8, not what anyone means.
 */
export function parseCidr(text: string): [Address, number] {
  const cidr = text.trim();
  if (ipaddr.IPv6.isValidCIDR(cidr)) return ipaddr.IPv6.parseCIDR(cidr);
  if (ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) return ipaddr.IPv4.parseCIDR(cidr);
  throw new Error(`${JSON.stringify(cidr)} is not a CIDR range`);
}

export function createAddressPolicy(allowCidrs: readonly string[] = []): AddressPolicy {
  const allowed = allowCidrs.map(parseCidr);
  const isAllowed = (address: Address) => allowed.some((range) => range[0].kind() === address.kind() && address.match(range));
  return {
    refusal(ip) {
      let address: Address;
      try {
        address = ipaddr.process(ip);
      } catch {
        return { address: ip, what: 'not an IP address' };
      }
      if (isAllowed(address)) return undefined;
      const range = address.range();
      if (range !== 'unicast') return { address: address.toString(), what: `${RANGE_WORDS[range] ?? `a non-public (${range})`} address` };
      if (address.kind() === 'ipv6' && address.match(IPV4_COMPATIBLE)) return { address: address.toString(), what: 'an IPv4-compatible address' };
      return undefined;
    },
  };
}
