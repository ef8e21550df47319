import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOrCreateSecretFile } from '../crypto/secret-file.ts';

// Where the managed redis-server keeps its things in DATA_DIR, and its password: generated once into
// DATA_DIR/redis/password (0600) and reused, because other users of the machine can reach a loopback port and the
// password is what keeps them out. The URL handed to the app carries it.

export const managedRedisDir = (dataDir: string) => join(dataDir, 'redis');
const passwordFile = (dataDir: string) => join(managedRedisDir(dataDir), 'password');

/** Letters, digits, `-` and `_`: safe inside redis.conf quotes and a URL. */
const USABLE = /^[A-Za-z0-9_-]{16,}$/;

export function managedRedisPassword(dataDir: string): string {
  const file = passwordFile(dataDir);
  const password = readOrCreateSecretFile(file, () => randomBytes(32).toString('base64url'));
  // An empty requirepass would switch authentication off.
  if (!USABLE.test(password)) throw new Error(`${file} holds no usable password: delete it to have a new one made`);
  return password;
}

export const managedRedisUrlFor = (port: number, password: string) => `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`;

/** The URL of the managed redis-server of `dataDir` as its last start left it (for tools beside a running server). */
export function managedRedisUrl(dataDir: string): string {
  const port = Number(readFileSync(join(managedRedisDir(dataDir), 'port'), 'utf8').trim());
  return managedRedisUrlFor(port, managedRedisPassword(dataDir));
}
