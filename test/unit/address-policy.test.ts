import { describe, expect, it } from 'vitest';
import { createAddressPolicy, describeRefusal, parseCidr } from '../../src/net/address-policy.ts';
import { literalAddressRefusal } from '../../src/net/url-check.ts';

// Which addresses the outbound guard refuses (ipaddr.js ranges, plus the IPv4-compatible form it calls unicast),
// what OUTBOUND_ALLOW_CIDRS lets through, and the create-time check of URLs whose host is an IP literal, including
// the spellings WHATWG URL normalizes into loopback (2130706433, 127.1, 0x7f.1).

const policy = createAddressPolicy();
const refused = (ip: string) => {
  const r = policy.refusal(ip);
  return r && describeRefusal(ip, r);
};

describe('address policy', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1 is a loopback address'],
    ['127.255.0.9', '127.255.0.9 is a loopback address'],
    ['::1', '::1 is a loopback address'],
    ['0.0.0.0', '0.0.0.0 is an unspecified address'],
    ['::', ':: is an unspecified address'],
    ['10.1.2.3', '10.1.2.3 is a private address'],
    ['172.16.0.1', '172.16.0.1 is a private address'],
    ['192.168.1.1', '192.168.1.1 is a private address'],
    ['169.254.169.254', '169.254.169.254 is a link-local address'],
    ['100.64.0.1', '100.64.0.1 is a carrier-grade NAT address'],
    ['224.0.0.1', '224.0.0.1 is a multicast address'],
    ['255.255.255.255', '255.255.255.255 is a broadcast address'],
    ['240.0.0.1', '240.0.0.1 is a reserved address'],
    ['fe80::1', 'fe80::1 is a link-local address'],
    ['fc00::1', 'fc00::1 is a private (unique local) address'],
    ['ff02::1', 'ff02::1 is a multicast address'],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1 (127.0.0.1) is a loopback address'],
    ['::ffff:7f00:1', '::ffff:7f00:1 (127.0.0.1) is a loopback address'],
    ['::ffff:169.254.169.254', '::ffff:169.254.169.254 (169.254.169.254) is a link-local address'],
    ['::7f00:1', '::7f00:1 is an IPv4-compatible address'],
    ['::ffff:0:7f00:1', '::ffff:0:7f00:1 is an IPv4-translated address'],
    ['64:ff9b::7f00:1', '64:ff9b::7f00:1 is a NAT64 address'],
    ['2002:7f00:1::1', '2002:7f00:1::1 is a 6to4 address'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001:0:4136:e378:8000:63bf:3fff:fdd2 is a Teredo address'],
  ])('refuses %s', (ip, reason) => {
    expect(refused(ip)).toBe(reason);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows the public address %s', (ip) => {
    expect(policy.refusal(ip)).toBeUndefined();
  });

  it('lets the operator allow internal ranges, and only those', () => {
    const allowing = createAddressPolicy(['127.0.0.0/8', 'fd00::/8', '10.20.0.0/16']);
    expect(allowing.refusal('127.0.0.1')).toBeUndefined();
    expect(allowing.refusal('::ffff:127.0.0.1')).toBeUndefined();
    expect(allowing.refusal('fd12::1')).toBeUndefined();
    expect(allowing.refusal('10.20.3.4')).toBeUndefined();
    expect(allowing.refusal('10.21.0.1')).toMatchObject({ what: 'a private address' });
    expect(allowing.refusal('::1')).toMatchObject({ what: 'a loopback address' });
    expect(allowing.refusal('169.254.169.254')).toMatchObject({ what: 'a link-local address' });
  });

  it('names a host that resolves inside without repeating the address', () => {
    expect(describeRefusal('intranet.example', { address: '10.0.0.5', what: 'a private address' })).toBe('intranet.example resolves to a private address');
  });

  it('parses only full CIDR ranges (ipaddr.js alone reads 10/8 as 0.0.0.10/8)', () => {
    expect(parseCidr(' 10.0.0.0/8 ')[1]).toBe(8);
    expect(parseCidr('::1/128')[1]).toBe(128);
    for (const bad of ['10/8', '10.0.0/8', '10.0.0.1', '127.0.0.1/33', '::1/129', 'localhost/8', '']) expect(() => parseCidr(bad)).toThrow();
  });
});

describe('literal hosts in URLs (the create-time check)', () => {
  it.each([
    ['http://127.0.0.1:8080/in', '127.0.0.1 is a loopback address'],
    ['http://[::1]/in', '::1 is a loopback address'],
    ['http://[::ffff:127.0.0.1]/in', '::ffff:7f00:1 (127.0.0.1) is a loopback address'],
    ['http://[::127.0.0.1]/in', '::7f00:1 is an IPv4-compatible address'],
    ['http://0.0.0.0/in', '0.0.0.0 is an unspecified address'],
    ['http://2130706433/in', '127.0.0.1 is a loopback address'],
    ['http://127.1/in', '127.0.0.1 is a loopback address'],
    ['http://0x7f.1/in', '127.0.0.1 is a loopback address'],
    ['http://10.0.0.8/in', '10.0.0.8 is a private address'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
    ['https://100.64.1.2/v1', '100.64.1.2 is a carrier-grade NAT address'],
  ])('refuses %s', (url, reason) => {
    expect(literalAddressRefusal(policy, url)).toBe(reason);
  });

  it('leaves names to the connect-time check, and public or allowed literals alone', () => {
    expect(literalAddressRefusal(policy, 'http://localhost:9000/in')).toBeUndefined();
    expect(literalAddressRefusal(policy, 'https://hooks.example.com/in')).toBeUndefined();
    expect(literalAddressRefusal(policy, 'https://93.184.215.14/in')).toBeUndefined();
    expect(literalAddressRefusal(createAddressPolicy(['127.0.0.0/8']), 'http://2130706433/in')).toBeUndefined();
  });
});
