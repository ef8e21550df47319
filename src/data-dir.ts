import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from './logger.ts';

// DATA_DIR holds the embedded database, the managed Redis's data and password and the master key: nothing in it
// is for other users of the machine. Entry points set an owner-only umask before they create anything, so every
// file and folder made from then on is 0600/0700; a DATA_DIR that others can already enter (made by an older
// version, or by hand) is closed to them at start-up, and the embedded database's files, which PGlite chmods to
// 0666 itself (src/db/client.ts), are tightened after it opens.

/** Group and other permission bits. */
const GROUP_AND_OTHER = 0o077;

/** First thing in an entry point (src/main.ts, src/cli/main.ts), before any file is created. */
export function createFilesOwnerOnly(): void {
  process.umask(GROUP_AND_OTHER);
}

/** Creates DATA_DIR owner-only (0700), or makes an existing one owner-only, saying so in the log. */
export function prepareDataDir(dir: string, logger: Logger): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = statSync(dir).mode & 0o777;
  if (!dropGroupAndOther(dir)) return;
  logger.warn(
    { dataDir: dir, was: octal(mode), now: octal(mode & ~GROUP_AND_OTHER) },
    'DATA_DIR was open to other users of this machine: made it owner-only',
  );
}

/**
 * Removes the group and other bits from `dir` and everything under it; symbolic links are neither changed nor
 * followed. Returns how many entries were changed.
 */
export function restrictTreeToOwner(dir: string): number {
  let changed = 0;
  const pending = [dir];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (dropGroupAndOther(path)) changed++;
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) pending.push(child);
      else if (entry.isFile() && dropGroupAndOther(child)) changed++;
    }
  }
  return changed;
}

/** Whether `path` had group or other bits (now removed). */
function dropGroupAndOther(path: string): boolean {
  const mode = statSync(path).mode & 0o7777;
  if ((mode & GROUP_AND_OTHER) === 0) return false;
  chmodSync(path, mode & ~GROUP_AND_OTHER);
  return true;
}

const octal = (mode: number) => `0${mode.toString(8)}`;
