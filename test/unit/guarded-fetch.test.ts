import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressPolicy } from '../../src/net/address-policy.ts';
import type { LookupAll } from '../../src/net/guarded-connector.ts';
import { createOutboundClient, type OutboundClient } from '../../src/net/guarded-fetch.ts';
import { blockedAddressIn } from '../../src/net/outbound-errors.ts';
import { type RecordingPeer, startRecordingPeer } from '../peers/recording-peer.ts';

// The outbound guard against a real internal service on this host (listening on `::`, so every spelling of
// loopback reaches it when allowed): each address form is refused before any connection is made, a name is
// checked by the addresses it resolves to, and the connection goes to the address that was checked (no second
// lookup to rebind). The same requests with loopback allowed do arrive, so these tests can fail.

let peer: RecordingPeer;
const clients: OutboundClient[] = [];
const client = (allow: string[] = [], lookup?: LookupAll) => {
  clients.push(createOutboundClient({ policy: createAddressPolicy(allow), lookup }));
  return clients.at(-1)!;
};

beforeAll(async () => {
  peer = await startRecordingPeer();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await peer.close();
});

async function refusal(c: OutboundClient, url: string): Promise<string> {
  const err = await c.fetch(url, { timeoutMs: 5000 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const blocked = blockedAddressIn(err);
  if (!blocked) throw new Error(`expected ${url} to be refused, got ${String(err)}`);
  return blocked.reason;
}

const local = (host: string) => `http://${host}:${peer.port}/internal`;

describe('guarded fetch: address forms', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1 is a loopback address'],
    ['localhost', 'localhost resolves to a loopback address'],
    ['[::1]', '::1 is a loopback address'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1 (127.0.0.1) is a loopback address'],
    ['0.0.0.0', '0.0.0.0 is an unspecified address'],
    ['2130706433', '127.0.0.1 is a loopback address'],
    ['127.1', '127.0.0.1 is a loopback address'],
    ['[::127.0.0.1]', '::7f00:1 is an IPv4-compatible address'],
  ])('refuses %s on this host, which never sees the request', async (host, reason) => {
    const before = peer.requests.length;
    expect(await refusal(client(), local(host))).toBe(reason);
    expect(peer.requests.length).toBe(before);
  });

  it.each([
    ['http://10.0.0.1/', '10.0.0.1 is a private address'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
    ['http://100.64.0.1/', '100.64.0.1 is a carrier-grade NAT address'],
    ['http://[fd00::1]/', 'fd00::1 is a private (unique local) address'],
    ['http://[64:ff9b::a9fe:a9fe]/', '64:ff9b::a9fe:a9fe is a NAT64 address'],
  ])('refuses %s at once, without trying to connect', async (url, reason) => {
    const started = Date.now();
    expect(await refusal(client(), url)).toBe(reason);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reaches the same forms when the operator allows loopback', async () => {
    const allowed = client(['127.0.0.0/8', '::1/128']);
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '[::ffff:127.0.0.1]', '2130706433', '127.1']) {
      const res = await allowed.fetch(local(host));
      expect(await res.text()).toBe('internal secret');
    }
    expect(peer.requests.length).toBeGreaterThanOrEqual(6);
  });
});

describe('guarded fetch: names', () => {
  it('refuses a public-looking name that resolves to loopback (DNS rebinding)', async () => {
    const rebinding: LookupAll = async () => [{ address: '127.0.0.1', family: 4 }];
    const before = peer.requests.length;
    expect(await refusal(client([], rebinding), `http://cdn.example.com:${peer.port}/a.png`)).toBe(
      'cdn.example.com resolves to a loopback address',
    );
    expect(peer.requests.length).toBe(before);
  });

  it('uses only the allowed addresses of a name, and refuses it when none is', async () => {
    const both: LookupAll = async () => [
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ];
    const name = `http://intranet.example:${peer.port}/status`;
    expect(await refusal(client([], both), name)).toBe('intranet.example resolves to a loopback address');
    const before = peer.requests.length;
    expect((await client(['127.0.0.0/8'], both).fetch(name)).status).toBe(200);
    expect(peer.requests.length).toBe(before + 1);
  });

  it('connects to the address it checked, resolving once per connection', async () => {
    // First answer: 127.0.0.2 (allowed); any later one would be 127.0.0.1 (not allowed) — a rebinding attempt.
    let lookups = 0;
    const rebinding: LookupAll = async () => [{ address: lookups++ === 0 ? '127.0.0.2' : '127.0.0.1', family: 4 }];
    const res = await client(['127.0.0.2/32'], rebinding).fetch(`http://files.example:${peer.port}/a.txt`);
    expect(res.status).toBe(200);
    await res.text();
    expect(lookups).toBe(1);
    const last = peer.requests.at(-1)!;
    expect(last).toMatchObject({ path: '/a.txt', headers: { host: `files.example:${peer.port}` } });
  });
});
