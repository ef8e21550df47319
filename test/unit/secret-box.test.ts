import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box.ts';

// Secrets at rest: AES-256-GCM under a key derived from the master secret. Tampering or a wrong key must fail
// loudly, never decrypt to something else.

const box = new SecretBox('master-secret-master-secret-master-secret');

describe('SecretBox', () => {
  it('round-trips text and JSON', () => {
    expect(box.open(box.seal('hunter2'))).toBe('hunter2');
    expect(box.open(box.seal(''))).toBe('');
    expect(box.openJson(box.sealJson({ authToken: 'tok', n: 1 }))).toEqual({ authToken: 'tok', n: 1 });
  });

  it('writes v1.<iv>.<tag>.<ciphertext> without the plaintext, with a fresh iv each time', () => {
    const a = box.seal('plain-secret-value');
    const b = box.seal('plain-secret-value');
    expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(a).not.toContain('plain-secret-value');
    expect(a).not.toBe(b);
  });

  it('refuses a tampered ciphertext, tag or iv', () => {
    const [v, iv, tag, body] = box.seal('value').split('.') as [string, string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const bad of [[v, iv, tag, flip(body)], [v, iv, flip(tag), body], [v, flip(iv), tag, body]]) {
      expect(() => box.open(bad.join('.'))).toThrow();
    }
  });

  it('refuses another master key and unknown formats', () => {
    const sealed = box.seal('value');
    expect(() => new SecretBox('another-master-secret-another-master').open(sealed)).toThrow();
    expect(() => box.open(`v2${sealed.slice(2)}`)).toThrow('Unrecognized sealed secret');
    expect(() => box.open('not sealed')).toThrow('Unrecognized sealed secret');
  });
});
