import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalBlobStore } from '../../src/blob/local-blob-store.ts';
import type { BlobStore } from '../../src/blob/blob-store.ts';

// What the orphan sweep needs from the local blob store: every blob with its stored time, a delete that spares a
// blob put again meanwhile, and a walk that tidies what a crashed put or delete left behind.

const parent = mkdtempSync(join(tmpdir(), 'sb-blob-sweep-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

const HOUR = 3_600_000;
const hoursAgo = (h: number) => new Date(Date.now() - h * HOUR);

/** A store in a folder of its own, with helpers bound to it. */
function freshStore() {
  const root = mkdtempSync(join(parent, 'store-'));
  const store: BlobStore = createLocalBlobStore(root);
  return {
    root,
    store,
    /** Sets the blob's mtime: its stored time. */
    age: (key: string, at: Date) => utimesSync(join(root, key), at, at),
    dirOf: (key: string) => join(root, dirname(key)),
    listed: async () => {
      const all = [];
      for await (const b of store.list()) all.push(b);
      return all.sort((a, b) => a.key.localeCompare(b.key));
    },
  };
}

describe('LocalBlobStore.list', () => {
  it('lists every blob with its stored time, and nothing else', async () => {
    const { root, store, age, dirOf, listed } = freshStore();
    expect(await listed()).toEqual([]);
    const a = await store.put(Buffer.from('a'), 'text/plain');
    const b = await store.put(Buffer.from('b'), 'text/plain');
    age(a.key, hoursAgo(30));
    writeFileSync(join(dirOf(b.key), 'not-a-hash'), 'x');
    mkdirSync(join(root, 'zz'));
    const all = await listed();
    expect(all.map((e) => e.key)).toEqual([a.key, b.key].sort());
    const ofA = all.find((e) => e.key === a.key)!;
    expect(Math.abs(ofA.storedAt.getTime() - hoursAgo(30).getTime())).toBeLessThan(1000);
  });

  it('tidies a crash’s leftovers older than an hour: a parked blob goes back, a temp file goes', async () => {
    const { root, store, dirOf, listed } = freshStore();
    const blob = await store.put(Buffer.from('parked by a delete that died'), 'text/plain');
    const sha = blob.key.slice(-64);
    const parked = join(dirOf(blob.key), `.parked-${sha}-${Date.now() - 2 * HOUR}-00000000`);
    rmSync(join(root, blob.key));
    writeFileSync(parked, 'parked by a delete that died');
    const staleTmp = join(dirOf(blob.key), `.tmp-${sha.slice(0, 12)}-aaaaaaaaaaaa`);
    const freshTmp = join(dirOf(blob.key), `.tmp-${sha.slice(0, 12)}-bbbbbbbbbbbb`);
    writeFileSync(staleTmp, 'half');
    utimesSync(staleTmp, hoursAgo(2), hoursAgo(2));
    writeFileSync(freshTmp, 'being written');
    await listed();
    expect(readdirSync(dirOf(blob.key)).sort()).toEqual([sha, `.tmp-${sha.slice(0, 12)}-bbbbbbbbbbbb`].sort());
    expect(Buffer.from((await store.get(blob.key))!).toString()).toBe('parked by a delete that died');
  });
});

describe('LocalBlobStore.deleteIfStoredBefore', () => {
  it('deletes a blob stored before the cutoff, keeps a newer one, and ignores keys it did not make', async () => {
    const { store, age, dirOf } = freshStore();
    const old = await store.put(Buffer.from('old'), 'text/plain');
    const fresh = await store.put(Buffer.from('fresh'), 'text/plain');
    age(old.key, hoursAgo(25));
    expect(await store.deleteIfStoredBefore(old.key, hoursAgo(24))).toBe(true);
    expect(await store.deleteIfStoredBefore(fresh.key, hoursAgo(24))).toBe(false);
    expect(await store.get(old.key)).toBeNull();
    expect(await store.get(fresh.key)).not.toBeNull();
    expect(await store.deleteIfStoredBefore(old.key, hoursAgo(24))).toBe(false);
    expect(await store.deleteIfStoredBefore('../../etc/passwd', new Date())).toBe(false);
    expect(readdirSync(dirOf(old.key))).toEqual([]);
  });

  it('spares an old blob that is put again: the put renews its stored time', async () => {
    const { root, store, age } = freshStore();
    const bytes = randomBytes(64);
    const blob = await store.put(bytes, 'application/octet-stream');
    age(blob.key, hoursAgo(48));
    await store.put(bytes, 'application/octet-stream');
    expect(await store.deleteIfStoredBefore(blob.key, hoursAgo(24))).toBe(false);
    expect(existsSync(join(root, blob.key))).toBe(true);
  });

  it('never loses a blob to a delete racing a put of the same bytes, whatever the interleaving', async () => {
    const { store, age } = freshStore();
    const bytes = randomBytes(256 * 1024);
    const { key } = await store.put(bytes, 'application/octet-stream');
    for (let i = 0; i < 40; i++) {
      age(key, hoursAgo(48));
      await Promise.all([store.deleteIfStoredBefore(key, hoursAgo(24)), store.put(bytes, 'application/octet-stream')]);
      expect(Buffer.from((await store.get(key)) ?? []).equals(bytes), `round ${i}`).toBe(true);
    }
  });
});
