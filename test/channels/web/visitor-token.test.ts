import { describe, expect, it } from 'vitest';
import { signVisitorToken, VISITOR_TOKEN_TTL_SECONDS, verifyVisitorToken } from '../../../channels/web/server/visitor-token.ts';

// The web-chat visitor token: only a genuine, unexpired token made with our master secret verifies.

const SECRET = 'test-secret-test-secret-test-secret-0123';
const NOW = new Date('2024-05-01T12:00:00.000Z');
const subject = { org: '11111111-1111-4111-8111-111111111111', contact: '22222222-2222-4222-8222-222222222222' };
const at = (secondsLater: number) => new Date(NOW.getTime() + secondsLater * 1000);

describe('visitor tokens', () => {
  it('verifies to its claims, expiring 24 hours after signing', () => {
    const { token, claims } = signVisitorToken(SECRET, subject, NOW);
    expect(VISITOR_TOKEN_TTL_SECONDS).toBe(86_400);
    expect(claims).toEqual({ ...subject, exp: Date.parse('2024-05-02T12:00:00.000Z') / 1000 });
    expect(verifyVisitorToken(SECRET, token, NOW)).toEqual(claims);
    expect(verifyVisitorToken(SECRET, token, at(86_399))).toEqual(claims);
  });

  it('fails once expired', () => {
    const { token } = signVisitorToken(SECRET, subject, NOW);
    expect(verifyVisitorToken(SECRET, token, at(86_400))).toBeNull();
    expect(verifyVisitorToken(SECRET, token, at(90_000))).toBeNull();
  });

  it('fails when the payload is changed (another contact, a later expiry)', () => {
    const { token } = signVisitorToken(SECRET, subject, NOW);
    const sig = token.split('.')[1]!;
    const forge = (claims: object) => `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    const exp = Math.floor(NOW.getTime() / 1000) + VISITOR_TOKEN_TTL_SECONDS;
    expect(verifyVisitorToken(SECRET, forge({ ...subject, exp }), NOW)).not.toBeNull(); // control: same claims, same signature
    expect(verifyVisitorToken(SECRET, forge({ ...subject, contact: subject.org, exp }), NOW)).toBeNull();
    expect(verifyVisitorToken(SECRET, forge({ ...subject, exp: exp + 3600 }), at(90_000))).toBeNull();
  });

  it('fails with a changed signature or another master secret', () => {
    const { token } = signVisitorToken(SECRET, subject, NOW);
    const [body, sig] = token.split('.') as [string, string];
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(verifyVisitorToken(SECRET, `${body}.${flipped}`, NOW)).toBeNull();
    expect(verifyVisitorToken(SECRET, `${body}.${sig.slice(0, -2)}`, NOW)).toBeNull();
    expect(verifyVisitorToken('another-secret-another-secret-another-1', token, NOW)).toBeNull();
  });

  it('fails on malformed tokens without throwing', () => {
    for (const bad of ['', '.', 'abc', 'a.b.c', `${Buffer.from('not json').toString('base64url')}.x`]) {
      expect(verifyVisitorToken(SECRET, bad, NOW)).toBeNull();
    }
  });
});
