import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPassword, verifyPassword } from '../../src/crypto/password.ts';

// Console passwords: scrypt with a random salt, parameters inside the hash string, constant-time comparison.
// Malformed or hostile stored hashes never match and never throw.

const cheap = { N: 2 ** 10, r: 8, p: 1 };

describe('hashPassword / verifyPassword', () => {
  it('verifies the right password and refuses others', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('writes scrypt$N$r$p$salt$hash with the default parameters and no plaintext', async () => {
    const stored = await hashPassword('hunter22');
    const { N, r, p } = DEFAULT_SCRYPT;
    expect(stored).toMatch(new RegExp(`^scrypt\\$${N}\\$${r}\\$${p}\\$[\\w-]{22}\\$[\\w-]{43}$`));
    expect(stored).not.toContain('hunter22');
  });

  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = [await hashPassword('same-pass', cheap), await hashPassword('same-pass', cheap)];
    expect(a).not.toBe(b);
    expect(await verifyPassword('same-pass', a)).toBe(true);
    expect(await verifyPassword('same-pass', b)).toBe(true);
  });

  it('reads the parameters back from the hash (older or newer settings keep working)', async () => {
    const stored = await hashPassword('pass-with-old-params', cheap);
    expect(stored.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('pass-with-old-params', stored)).toBe(true);
  });

  it('treats canonically equivalent Unicode spellings as the same password', async () => {
    const stored = await hashPassword('caf\u00e9-passe', cheap);
    expect(await verifyPassword('cafe\u0301-passe', stored)).toBe(true);
  });

  it('refuses malformed, tampered and out-of-bounds hashes without throwing', async () => {
    const good = await hashPassword('pw-123456', cheap);
    const parts = good.split('$');
    const tamperedHash = [...parts.slice(0, 5), Buffer.alloc(32).toString('base64url')].join('$');
    for (const stored of [
      '',
      'plain',
      'bcrypt$2b$10$abc',
      tamperedHash,
      good.replace('scrypt$1024', 'scrypt$1000'), // N not a power of two
      good.replace('scrypt$1024', `scrypt$${2 ** 30}`), // would allocate far too much memory
      good.replace('$8$1$', '$8$99$'), // p out of bounds
      [...parts.slice(0, 4), 'c2FsdA', parts[5]].join('$'), // salt too short
      [...parts.slice(0, 5), 'AAAA'].join('$'), // hash too short
      `${good}$extra`,
    ]) {
      expect(await verifyPassword('pw-123456', stored), stored).toBe(false);
    }
  });
});
