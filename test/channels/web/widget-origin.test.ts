import { describe, expect, it } from 'vitest';
import { webConfigSchema } from '../../../channels/web/config.ts';
import { originAllowed } from '../../../channels/web/server/origin.ts';

// Which pages may embed a channel's widget: exact origins, subdomain wildcards, `*`, and Switchboard's own pages.

const PUBLIC = 'https://sb.example.io';

describe('originAllowed', () => {
  const allowed = ['https://shop.example.com', 'https://*.example.org', 'http://localhost:8080'];
  it.each([
    ['https://shop.example.com', true],
    ['HTTPS://SHOP.EXAMPLE.COM', true],
    ['http://shop.example.com', false],
    ['https://shop.example.com:8443', false],
    ['https://www.shop.example.com', false],
    ['https://a.example.org', true],
    ['https://a.b.example.org', true],
    ['https://example.org', false],
    ['https://evilexample.org', false],
    ['https://example.org.evil.net', false],
    ['http://a.example.org', false],
    ['http://localhost:8080', true],
    ['http://localhost:8081', false],
    ['null', false],
    [PUBLIC, true],
  ])('%s → %s', (origin, expected) => {
    expect(originAllowed(origin, allowed, PUBLIC)).toBe(expected);
  });

  it('lets in a page served by us under another host name, and requests without Origin (not a browser page)', () => {
    expect(originAllowed('http://localhost:3000', [], PUBLIC, 'localhost:3000')).toBe(true);
    expect(originAllowed('http://localhost:3000', [], PUBLIC, 'localhost:3001')).toBe(false);
    expect(originAllowed(undefined, [], PUBLIC)).toBe(true);
  });

  it('allows every site only when told to with *', () => {
    expect(originAllowed('https://anything.net', ['*'], PUBLIC)).toBe(true);
    expect(originAllowed('https://anything.net', [], PUBLIC)).toBe(false);
  });
});

describe('web channel config', () => {
  it('fills every default from {}', () => {
    expect(webConfigSchema.parse({})).toEqual({
      allowed_origins: [],
      theme: { color: '#4f46e5', position: 'right', title: 'Support', greeting: 'Hi! How can we help?', ai_name: 'Assistant' },
      files: { max_bytes: 10 * 1024 * 1024, allowed_types: ['image/*', 'application/pdf', 'text/plain'] },
      max_text_length: 4000,
      rate_limits: { visitor_per_minute: 30, ip_per_minute: 120, new_visitors_ip_per_minute: 20, new_visitors_per_minute: 600 },
    });
  });

  it.each([
    [{ allowed_origins: ['shop.example.com'] }, 'allowed_origins.0'],
    [{ allowed_origins: ['https://shop.example.com/path'] }, 'allowed_origins.0'],
    [{ theme: { color: 'red' } }, 'theme.color'],
    [{ files: { max_bytes: 100 * 1024 * 1024 } }, 'files.max_bytes'],
    [{ files: { allowed_types: ['images'] } }, 'files.allowed_types.0'],
    [{ identity_secret: 'short' }, 'identity_secret'],
    [{ colour: '#ffffff' }, ''],
  ])('refuses %j at %s', (config, path) => {
    const r = webConfigSchema.safeParse(config);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path.join('.')).toBe(path);
  });
});
