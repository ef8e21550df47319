import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

// A secret Switchboard generates once and keeps in a file of its own (the master key, the managed Redis's
// password): created 0600 in an owner-only folder, read back on every start, and made 0600 again if someone
// loosened it.

export function readOrCreateSecretFile(file: string, generate: () => string): string {
  if (existsSync(file)) {
    if (statSync(file).mode & 0o077) chmodSync(file, 0o600);
    return readFileSync(file, 'utf8').trim();
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const secret = generate();
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}
