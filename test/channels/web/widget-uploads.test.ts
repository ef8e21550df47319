import { describe, expect, it } from 'vitest';
import { cleanFilename, sniffContentType, typeAllowed } from '../../../channels/web/server/uploads.ts';
import { userHash, userHashMatches } from '../../../channels/web/server/visitors.ts';

// A visitor's file is typed by its bytes, never by its name or the browser's claim.

describe('sniffContentType', () => {
  it.each([
    ['png', '89504e470d0a1a0a0000000d49484452', 'image/png'],
    ['jpeg', 'ffd8ffe000104a46494600010100000100010000', 'image/jpeg'],
    ['gif', '474946383961010001000000002c', 'image/gif'],
    ['pdf', '255044462d312e370a25e2e3cfd30a', 'application/pdf'],
    ['zip', '504b030414000000080000000000', 'application/zip'],
    ['html as text', Buffer.from('<script>alert(1)</script>').toString('hex'), 'text/plain'],
    ['utf-8 text', Buffer.from('héllo wörld ✓').toString('hex'), 'text/plain'],
    ['binary noise', '00ff00fe01020304', 'application/octet-stream'],
  ])('%s', async (_name, hex, type) => {
    expect(await sniffContentType(Buffer.from(hex, 'hex'))).toBe(type);
  });
});

describe('typeAllowed', () => {
  it('matches exact types and family wildcards only', () => {
    expect(typeAllowed('image/png', ['image/*'])).toBe(true);
    expect(typeAllowed('application/pdf', ['image/*', 'application/pdf'])).toBe(true);
    expect(typeAllowed('application/zip', ['image/*', 'application/pdf'])).toBe(false);
    expect(typeAllowed('imagex/png', ['image/*'])).toBe(false);
  });
});

describe('cleanFilename', () => {
  it('keeps the base name without control characters', () => {
    expect(cleanFilename('../../etc/passwd')).toBe('passwd');
    expect(cleanFilename('C:\\Users\\me\\photo.png')).toBe('photo.png');
    expect(cleanFilename('a\u0000b\nc.txt')).toBe('abc.txt');
    expect(cleanFilename('///')).toBe('file');
  });
});

describe('user_hash', () => {
  it('is hex HMAC-SHA256 of user_id with the identity secret, compared exactly', () => {
    // Reference value: printf 'u-42' | openssl dgst -sha256 -hmac 'identity-secret-0123456789'
    const hash = userHash('identity-secret-0123456789', 'u-42');
    expect(hash).toBe('c59442ca69e2c2bae6bfd94445ec07435cf415caa3f475ff719a49adfd7ee6e2');
    expect(userHashMatches('identity-secret-0123456789', 'u-42', hash)).toBe(true);
    expect(userHashMatches('identity-secret-0123456789', 'u-42', hash.toUpperCase())).toBe(true);
    expect(userHashMatches('identity-secret-0123456789', 'u-43', hash)).toBe(false);
    expect(userHashMatches('identity-secret-0123456789', 'u-42', hash.slice(0, 62))).toBe(false);
  });
});
