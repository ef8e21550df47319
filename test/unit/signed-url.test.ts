import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FILE_URL_TTL_SECONDS, secondsLeft, signFileUrl, verifyFileSignature } from '../../src/blob/signed-url.ts';
import { attachmentUrl } from '../../src/domain/files/attachment-urls.ts';

// Signed download links: bound to one attachment id and one expiry, under a key of their own.

const SECRET = 'unit-secret-unit-secret-unit-secret-0001';
const ID = '0190a7b2-6b1e-7c3d-9e8f-0123456789ab';
const NOW = new Date('2025-06-01T12:00:00Z');
const NOW_S = NOW.getTime() / 1000;
const at = (seconds: number) => new Date((NOW_S + seconds) * 1000);

/** The parts of a signed URL. */
function parts(url: string) {
  const u = new URL(url);
  return { origin: u.origin, path: u.pathname, expires: u.searchParams.get('expires')!, sig: u.searchParams.get('sig')!, keys: [...u.searchParams.keys()] };
}

describe('signFileUrl', () => {
  it('makes ${publicUrl}/files/${id}?expires=<unix>&sig=<base64url>, 15 minutes by default', () => {
    const url = signFileUrl('https://sb.example.com/', SECRET, ID, undefined, NOW);
    expect(url).toMatch(/^https:\/\/sb\.example\.com\/files\/[^/?]+\?expires=\d+&sig=[\w-]{43}$/);
    const p = parts(url);
    expect(p).toMatchObject({ origin: 'https://sb.example.com', path: `/files/${ID}`, expires: String(NOW_S + 900), keys: ['expires', 'sig'] });
    expect(FILE_URL_TTL_SECONDS).toBe(900);
    expect(parts(signFileUrl('https://sb.example.com/base', SECRET, ID, 60, NOW)).path).toBe(`/base/files/${ID}`);
    expect(parts(signFileUrl('https://sb.example.com', SECRET, ID, 60, NOW)).expires).toBe(String(NOW_S + 60));
  });

  it('uses a key derived for files only: sha256("switchboard-files:" + secret)', () => {
    const { expires, sig } = parts(signFileUrl('https://x.test', SECRET, ID, 900, NOW));
    const msg = `${ID}.${expires}`;
    const fileKey = createHash('sha256').update(`switchboard-files:${SECRET}`).digest();
    expect(sig).toBe(createHmac('sha256', fileKey).update(msg).digest('base64url'));
    // Never the raw master secret, nor another purpose's derived key.
    expect(sig).not.toBe(createHmac('sha256', SECRET).update(msg).digest('base64url'));
    const visitorKey = createHash('sha256').update(`switchboard-visitor-token:${SECRET}`).digest();
    expect(sig).not.toBe(createHmac('sha256', visitorKey).update(msg).digest('base64url'));
  });

  it('refuses a ttl that is not a positive whole number of seconds', () => {
    for (const ttl of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => signFileUrl('https://x.test', SECRET, ID, ttl, NOW), String(ttl)).toThrow(RangeError);
    }
  });
});

describe('verifyFileSignature', () => {
  const signed = (ttl = 900, id = ID) => parts(signFileUrl('https://x.test', SECRET, id, ttl, NOW));

  it('accepts a genuine link until its expiry, and not at or after it', () => {
    const { expires, sig } = signed(900);
    expect(verifyFileSignature(SECRET, ID, expires, sig, NOW)).toBe(true);
    expect(verifyFileSignature(SECRET, ID, Number(expires), sig, at(899))).toBe(true);
    expect(verifyFileSignature(SECRET, ID, expires, sig, at(900))).toBe(false);
    expect(verifyFileSignature(SECRET, ID, expires, sig, at(86_400))).toBe(false);
  });

  it('refuses any tampering: other id, other expiry, other secret, altered or missing signature', () => {
    const { expires, sig } = signed();
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    const cases: [string, string, string, string][] = [
      [SECRET, '0190a7b2-6b1e-7c3d-9e8f-0123456789ac', expires, sig],
      [SECRET, ID, String(Number(expires) + 1), sig],
      [SECRET, ID, String(Number(expires) + 86_400), sig],
      ['another-secret-another-secret-another-00', ID, expires, sig],
      [SECRET, ID, expires, flipped],
      [SECRET, ID, expires, sig.slice(0, -1)],
      [SECRET, ID, expires, `${sig}A`],
      [SECRET, ID, expires, `${sig}=`],
      [SECRET, ID, expires, Buffer.from(sig, 'base64url').toString('base64')],
      [SECRET, ID, expires, Buffer.from(sig, 'base64url').toString('hex')],
      [SECRET, ID, expires, ''],
    ];
    for (const [secret, id, exp, s] of cases) expect(verifyFileSignature(secret, id, exp, s, NOW), `${id} ${exp} ${s}`).toBe(false);
  });

  it('accepts one spelling only: the last character’s unused bits cannot vary', () => {
    const { expires, sig } = signed();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const variants = [...alphabet].map((c) => sig.slice(0, -1) + c).filter((v) => v !== sig);
    const sameBytes = variants.filter((v) => Buffer.from(v, 'base64url').equals(Buffer.from(sig, 'base64url')));
    expect(sameBytes.length).toBeGreaterThan(0);
    for (const v of sameBytes) expect(verifyFileSignature(SECRET, ID, expires, v, NOW)).toBe(false);
  });

  it('reads expires as canonical decimal only', () => {
    const { expires, sig } = signed();
    for (const e of [`0${expires}`, `+${expires}`, `${expires}.0`, ` ${expires}`, `${expires} `, `${Number(expires) / 1000}e3`, '-1', '', 'NaN', '99999999999999']) {
      expect(verifyFileSignature(SECRET, ID, e, sig, NOW), e).toBe(false);
    }
  });
});

describe('secondsLeft', () => {
  it('is the remaining life of a link, never negative', () => {
    expect(secondsLeft(String(NOW_S + 900), NOW)).toBe(900);
    expect(secondsLeft(NOW_S + 1, at(0.4))).toBe(1);
    expect(secondsLeft(NOW_S - 5, NOW)).toBe(0);
  });
});

describe('attachmentUrl', () => {
  it('signs attachments whose bytes we hold, and shows the original url otherwise', () => {
    const stored = { id: ID, blobKey: 'ab/cd/abcd', url: 'https://cdn.example.com/orig.png' };
    const url = attachmentUrl(stored, 'https://sb.example.com', SECRET, NOW);
    expect(url).toBe(signFileUrl('https://sb.example.com', SECRET, ID, 900, NOW));
    const { expires, sig } = parts(url!);
    expect(verifyFileSignature(SECRET, ID, expires, sig, NOW)).toBe(true);
    expect(attachmentUrl({ ...stored, blobKey: null }, 'https://sb.example.com', SECRET, NOW)).toBe('https://cdn.example.com/orig.png');
    expect(attachmentUrl({ ...stored, blobKey: null, url: null }, 'https://sb.example.com', SECRET, NOW)).toBeNull();
  });
});
