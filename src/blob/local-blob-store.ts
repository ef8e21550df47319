import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { BlobEntry, BlobStore, StoredBlob } from './blob-store.ts';
import { listBlobFiles, parkedName, unlessMissing } from './local-blob-files.ts';

// Blobs as files under one root, content-addressed: `ab/cd/<sha256>` (two fan-out levels keep directories small).
// Because the key is the hash, a put of bytes already stored writes nothing (it renews the file's mtime, the
// blob's stored time) and nothing is ever overwritten in place. A delete first parks the file under another name
// (atomic rename), then looks at its mtime once more: a put that renewed it in between keeps it, and a put that
// came after the rename finds no file and writes it again. So the orphan sweep never takes bytes a message that
// is being stored right now has just put.

/** Exactly the keys put() makes; anything else (`..`, absolute paths, other names) names no file. */
const KEY = /^([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})$/;

export const blobKeyFor = (sha256: string): string => `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;

export function createLocalBlobStore(root: string): BlobStore {
  return new LocalBlobStore(root);
}

export class LocalBlobStore implements BlobStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(bytes: Uint8Array, _contentType: string): Promise<StoredBlob> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const key = blobKeyFor(sha256);
    const file = this.#path(key)!;
    const stored = { key, sha256, size: bytes.byteLength };
    // Files only ever appear whole (rename below), so one of the right size is this content. Renewing its time
    // fails if a delete parked it meanwhile: then it is written again.
    if ((await sizeOf(file)) === bytes.byteLength && (await renewed(file))) return stored;

    const dir = dirname(file);
    const created = await mkdir(dir, { recursive: true, mode: 0o700 });
    // Same directory as the target, so rename() is atomic (one filesystem); random so concurrent puts never collide.
    const tmp = join(dir, `.tmp-${sha256.slice(0, 12)}-${randomBytes(6).toString('hex')}`);
    try {
      const handle = await open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(bytes);
        // On disk before the rename: otherwise a power cut could leave the final name on an empty file.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    // The rename (and any new fan-out directory) is durable only once its directory is synced. A row naming
    // this key may commit as soon as we return, and must never point at a file a crash forgot.
    await syncDir(dir);
    if (created !== undefined) {
      await syncDir(dirname(dir));
      await syncDir(this.root);
    }
    return stored;
  }

  async get(key: string): Promise<Uint8Array<ArrayBuffer> | null> {
    const file = this.#path(key);
    return file ? unlessMissing(() => readFile(file)) : null;
  }

  list(): AsyncIterable<BlobEntry> {
    return listBlobFiles(this.root, (key) => this.#path(key));
  }

  async deleteIfStoredBefore(key: string, cutoff: Date): Promise<boolean> {
    const file = this.#path(key);
    if (!file) return false;
    const parked = join(dirname(file), parkedName(key));
    if (!(await moved(file, parked))) return false;
    const storedAt = await mtimeOf(parked);
    if (storedAt !== null && storedAt >= cutoff.getTime()) {
      await moved(parked, file); // put again while we looked: back it goes (a newer copy of it is the same bytes)
      return false;
    }
    await rm(parked, { force: true });
    return storedAt !== null;
  }

  /** The file of a well-formed key (whose fan-out matches its hash), else null: no key can leave the root. */
  #path(key: string): string | null {
    const m = KEY.exec(key);
    if (!m || !m[3]!.startsWith(m[1]! + m[2]!)) return null;
    return join(this.root, m[1]!, m[2]!, m[3]!);
  }
}

const sizeOf = (file: string) => unlessMissing(async () => (await stat(file)).size);
const mtimeOf = (file: string) => unlessMissing(async () => (await stat(file)).mtimeMs);
const renewed = (file: string) => unlessMissing(async () => (await utimes(file, new Date(), new Date()), true));
const moved = (from: string, to: string) => unlessMissing(async () => (await rename(from, to), true));

/** fsync a directory. Windows cannot open directories for that (and needs it less): skipped there. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
