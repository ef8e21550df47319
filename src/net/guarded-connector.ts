import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { buildConnector } from 'undici';
import { type AddressPolicy, describeRefusal } from './address-policy.ts';
import { BlockedAddressError } from './outbound-errors.ts';

// undici's connect hook for guarded requests: the host name is resolved here, every address it resolves to is
// checked against the policy, and the socket is opened to the checked address itself — never by name, so a second
// DNS answer (rebinding) cannot swap in another. TLS still verifies the certificate against, and sends SNI for, the
// name in the URL (servername). IP literals are checked the same way (net.connect would skip the lookup for them).
// Hook contract: https://undici.nodejs.org/#/docs/api/Connector

export interface LookupAddress {
  address: string;
  family: number;
}

/** Every address of a name, as dns.lookup({ all: true }) gives them (tests inject their own). */
export type LookupAll = (hostname: string) => Promise<LookupAddress[]>;

const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true });

export interface GuardedConnectorOptions {
  policy: AddressPolicy;
  lookup?: LookupAll | undefined;
  /** TCP + TLS handshake budget (undici's default is 10 s). */
  connectTimeoutMs?: number | undefined;
  /** Extra trusted CAs (tests with a self-signed certificate); the system store otherwise. */
  ca?: ConnectionOptions['ca'];
}

/**
 * The address to connect to for `hostname`: the first of its addresses the policy allows (a name that resolves to
 * both ::1 and 127.0.0.1 works when only 127.0.0.0/8 is allowed), or a BlockedAddressError when it allows none.
 */
export async function checkedAddress(hostname: string, policy: AddressPolicy, lookup: LookupAll = systemLookup): Promise<string> {
  const addresses = isIP(hostname) ? [hostname] : (await lookup(hostname)).map((a) => a.address);
  if (addresses.length === 0) throw new Error(`${hostname} has no address`);
  const allowed = addresses.find((address) => policy.refusal(address) === undefined);
  if (allowed !== undefined) return allowed;
  throw new BlockedAddressError(hostname, describeRefusal(hostname, policy.refusal(addresses[0]!)!));
}

export function guardedConnector(opts: GuardedConnectorOptions): buildConnector.connector {
  const connect = buildConnector({
    ...(opts.connectTimeoutMs ? { timeout: opts.connectTimeoutMs } : {}),
    ...(opts.ca ? { ca: opts.ca } : {}),
  });
  return (options, callback) => {
    const name = options.hostname;
    checkedAddress(name, opts.policy, opts.lookup).then(
      (address) => {
        const servername = options.servername ?? (isIP(name) ? undefined : name);
        connect({ ...options, hostname: address, ...(servername ? { servername } : {}) }, callback);
      },
      (err: Error) => callback(err, null),
    );
  };
}
