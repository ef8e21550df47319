import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { clientIp } from '../../src/http/client-ip.ts';

// Per-IP limits behind reverse proxies: trust only the entries our own proxies appended.

describe('clientIp', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    expect(clientIp('10.0.0.5', '1.2.3.4', 0)).toBe('10.0.0.5');
  });

  it('is the entry the nearest trusted proxy saw, ignoring what the client wrote further left', () => {
    expect(clientIp('10.0.0.5', '6.6.6.6, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientIp('10.0.0.5', '6.6.6.6, 203.0.113.7, 10.0.0.9', 2)).toBe('203.0.113.7');
    expect(clientIp('10.0.0.5', ' 203.0.113.7 ', 1)).toBe('203.0.113.7');
  });

  it('falls back sensibly when the header is missing or shorter than the trusted hops', () => {
    expect(clientIp('10.0.0.5', undefined, 1)).toBe('10.0.0.5');
    expect(clientIp('10.0.0.5', '203.0.113.7', 2)).toBe('203.0.113.7');
  });

  it('is configured by TRUST_PROXY_HOPS (default 0)', () => {
    const base = { SWITCHBOARD_SECRET: 'x'.repeat(32) };
    expect(loadConfig(base).trustProxyHops).toBe(0);
    expect(loadConfig({ ...base, TRUST_PROXY_HOPS: '2' }).trustProxyHops).toBe(2);
    expect(() => loadConfig({ ...base, TRUST_PROXY_HOPS: 'yes' })).toThrow(/^Invalid TRUST_PROXY_HOPS="yes"/);
  });
});
