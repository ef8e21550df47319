import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobEntry } from './blob-store.ts';

// The local blob store's files, walked for the orphan sweep: every `ab/cd/<sha256>` with its mtime (the blob's
// stored time). Dot-files in the fan-out directories are the store's own: `.tmp-…` a put still writing, and
// `.parked-<sha256>-<ms>-…` a delete still deciding (local-blob-store.ts). A crash can leave either behind, so the
// walk tidies those older than STALE_MS: a parked blob goes back under its name, a temporary file goes away.

const HEX2 = /^[0-9a-f]{2}$/;
const PARKED = /^\.parked-([0-9a-f]{64})-(\d+)-/;
/** A put or a delete takes moments: anything of theirs this old was left by a process that died. */
const STALE_MS = 3_600_000;

/** A fresh name to park the blob `key` under while deciding whether to delete it; it records when. */
export const parkedName = (key: string): string =>
  `.parked-${key.slice(-64)}-${Date.now()}-${randomBytes(4).toString('hex')}`;

/** Every blob under `root`; `pathOf` says which names are keys (null: not a blob). */
export async function* listBlobFiles(root: string, pathOf: (key: string) => string | null): AsyncGenerator<BlobEntry> {
  for (const a of await subdirs(root)) {
    for (const b of await subdirs(join(root, a))) {
      const dir = join(root, a, b);
      for (const name of (await unlessMissing(() => readdir(dir))) ?? []) {
        if (name.startsWith('.')) {
          await tidy(dir, name);
          continue;
        }
        const file = pathOf(`${a}/${b}/${name}`);
        const storedAt = file && (await unlessMissing(async () => (await stat(file)).mtime));
        if (storedAt) yield { key: `${a}/${b}/${name}`, storedAt };
      }
    }
  }
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = (await unlessMissing(() => readdir(dir, { withFileTypes: true }))) ?? [];
  return entries.filter((e) => e.isDirectory() && HEX2.test(e.name)).map((e) => e.name);
}

async function tidy(dir: string, name: string): Promise<void> {
  const file = join(dir, name);
  const parked = PARKED.exec(name);
  if (parked) {
    if (Date.now() - Number(parked[2]) < STALE_MS) return;
    const blob = join(dir, parked[1]!);
    // Written again since: the parked copy holds the same bytes and can go.
    if (await unlessMissing(() => stat(blob))) await rm(file, { force: true });
    else await unlessMissing(() => rename(file, blob));
    return;
  }
  const writtenAt = name.startsWith('.tmp-') ? await unlessMissing(async () => (await stat(file)).mtimeMs) : null;
  if (writtenAt !== null && Date.now() - writtenAt >= STALE_MS) await rm(file, { force: true });
}

/** The result, or null when the file is not there (ENOENT). */
export async function unlessMissing<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
