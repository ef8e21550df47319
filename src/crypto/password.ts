import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// Console passwords, hashed with scrypt from node:crypto (memory-hard, no native dependency). The parameters
// travel inside the hash string, so they can be raised later without breaking the hashes already stored:
//   scrypt$<N>$<r>$<p>$<salt, base64url>$<hash, base64url>

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** One of OWASP's equivalent scrypt settings: 32 MiB per hash (not 128), a third of a second on a laptop core. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 3 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds for parameters read back from a stored hash: a forged row must not make a login allocate gigabytes. */
const LIMITS = { logN: [10, 20], r: [1, 32], p: [1, 16], key: [16, 128] } as const;

function derive(password: string, salt: Buffer, keylen: number, { N, r, p }: ScryptParams): Promise<Buffer> {
  // Node refuses when 128·N·r exceeds maxmem (32 MiB by default): leave headroom above what the parameters need.
  const maxmem = 256 * N * r;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keylen, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` matches `stored`. Malformed or out-of-bounds hashes never match (and never throw). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.key.length, parsed.params);
  // Constant time: how much of a guess matched must not leak through the response time.
  return timingSafeEqual(key, parsed.key);
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((s) => (/^\d{1,9}$/.test(s!) ? Number(s) : NaN)) as [number, number, number];
  const logN = Math.log2(N);
  const within = (v: number, [lo, hi]: readonly [number, number]) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!within(logN, LIMITS.logN) || !within(r, LIMITS.r) || !within(p, LIMITS.p)) return null;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < SALT_BYTES || !within(key.length, LIMITS.key)) return null;
  return { params: { N, r, p }, salt, key };
}
