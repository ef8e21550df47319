import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/blob/blob-store.ts';
import { blobKeyFor, createLocalBlobStore } from '../../src/blob/local-blob-store.ts';
import { storeInlineAttachments } from '../../src/domain/files/attachments.ts';
import { AppError, ValidationError } from '../../src/errors.ts';

// The local blob store (content-addressed files, whole or absent) and storeInlineAttachments (strict base64,
// limits, nothing stored for a refused message).

let root: string;
let store: BlobStore;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sb-blobs-'));
  store = createLocalBlobStore(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** Every file under root, relative, temp files included. */
const files = (): string[] => readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);

describe('LocalBlobStore', () => {
  it('round-trips exact bytes under ab/cd/<sha256>, for empty, binary and large content', async () => {
    for (const bytes of [new Uint8Array(0), Uint8Array.from({ length: 256 }, (_, i) => i), randomBytes(3 * 1024 * 1024)]) {
      const put = await store.put(bytes, 'application/octet-stream');
      const hash = sha(bytes);
      expect(put).toEqual({ key: `${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`, sha256: hash, size: bytes.byteLength });
      expect(Buffer.from(readFileSync(join(root, put.key))).equals(Buffer.from(bytes))).toBe(true);
      const got = await store.get(put.key);
      expect(got).not.toBeNull();
      expect(Buffer.from(got!).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('writes owner-only files and leaves no temp file behind', async () => {
    const { key } = await store.put(Buffer.from('hello'), 'text/plain');
    expect(files()).toEqual([key.split('/')[2]]);
    if (process.platform !== 'win32') expect(statSync(join(root, key)).mode & 0o777).toBe(0o600);
  });

  it('does not rewrite stored content on a second put, only renews its stored time (mtime)', async () => {
    const bytes = Buffer.from('same bytes');
    const first = await store.put(bytes, 'text/plain');
    const before = statSync(join(root, first.key));
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.put(Buffer.from('same bytes'), 'image/png')).toEqual(first);
    const after = statSync(join(root, first.key));
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBeGreaterThan(before.mtimeMs);
  });

  it('survives concurrent puts of the same content', async () => {
    const bytes = randomBytes(512 * 1024);
    const puts = await Promise.all(Array.from({ length: 8 }, () => store.put(bytes, 'application/octet-stream')));
    expect(new Set(puts.map((p) => p.key)).size).toBe(1);
    expect(Buffer.from((await store.get(puts[0]!.key))!).equals(bytes)).toBe(true);
    expect(files()).toHaveLength(1);
  });

  it('ignores what a crash can leave (a temp file) and repairs a truncated file', async () => {
    const bytes = Buffer.from('the whole file');
    const key = blobKeyFor(sha(bytes));
    const dir = join(root, key.split('/').slice(0, 2).join('/'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `.tmp-${sha(bytes).slice(0, 12)}-deadbeef0000`), 'the who');
    expect(await store.get(key)).toBeNull();
    writeFileSync(join(root, key), 'the who');
    await store.put(bytes, 'text/plain');
    expect(Buffer.from((await store.get(key))!).toString()).toBe('the whole file');
  });

  it('returns null for unknown keys and for every key it did not make (no path traversal)', async () => {
    // A file next to the root, reachable as `../<name>` if keys were joined onto the root unchecked.
    const outside = `${root}-secret`;
    writeFileSync(outside, 'outside');
    try {
      mkdirSync(join(root, 'ab', 'cd'), { recursive: true });
      writeFileSync(join(root, 'ab', 'cd', 'plain-name'), 'inside, not a hash');
      const { key, sha256 } = await store.put(Buffer.from('x'), 'text/plain');
      for (const bad of [
        blobKeyFor('f'.repeat(64)),
        `../${basename(outside)}`,
        outside,
        `${key.slice(0, 6)}../../${key}`,
        'ab/cd/plain-name',
        key.toUpperCase(),
        `${key}\n`,
        ` ${key}`,
        `00/00/${sha256}`, // a fan-out that does not match the hash
        sha256,
        key.replaceAll('/', '\\'),
        '',
      ]) {
        expect(await store.get(bad), JSON.stringify(bad)).toBeNull();
      }
      expect(Buffer.from((await store.get(key))!).toString()).toBe('x');
    } finally {
      rmSync(outside, { force: true });
    }
  });
});

describe('storeInlineAttachments', () => {
  const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
  const ref = (base64: string, filename = 'a.bin') => ({ filename, contentType: 'application/octet-stream', base64 });
  const limits = { maxFileBytes: 10, maxMessageBytes: 15 };

  it('stores base64 refs, returns them enriched and without base64, and leaves url-only refs alone', async () => {
    const byUrl = { filename: 'remote.png', contentType: 'image/png', url: 'https://cdn.example.com/r.png' };
    const bytes = randomBytes(1000);
    const out = await storeInlineAttachments(store, [byUrl, { ...ref(b64(bytes), 'x.bin'), size: 1 }]);
    expect(out[0]).toBe(byUrl);
    expect(out[1]).toEqual({ filename: 'x.bin', contentType: 'application/octet-stream', blobKey: blobKeyFor(sha(bytes)), sha256: sha(bytes), size: 1000 });
    expect(Buffer.from((await store.get(out[1]!.blobKey!))!).equals(bytes)).toBe(true);
  });

  it('accepts files up to the limits exactly', async () => {
    const out = await storeInlineAttachments(store, [ref(b64('0123456789')), ref(b64('abcde'))], limits);
    expect(out.map((r) => r.size)).toEqual([10, 5]);
  });

  it('refuses invalid base64 with a 400 that names the attachment and its path', async () => {
    for (const bad of ['abc', 'ab!=', 'QR==', 'QQ=', 'data:text/plain;base64,QQ==', 'QUJD\nREVG', 'QUJD REVG', 'QQ==QQ==', 'QUJD-_8=', '====']) {
      const err = await storeInlineAttachments(store, [ref(b64('ok')), ref(bad, 'bad ✓.txt')]).catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).status).toBe(400);
      expect((err as ValidationError).message).toContain('"bad ✓.txt"');
      expect((err as ValidationError).details).toEqual([{ path: 'message.attachments.1.base64', message: expect.any(String) }]);
    }
    expect(files()).toEqual([]);
  });

  it('accepts a padded final quantum exactly when Node would re-encode it the same (canonical)', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    for (const c of alphabet) {
      for (const text of [`QUJDA${c}==`, `QUJDAA${c}=`]) {
        const canonical = Buffer.from(text, 'base64').toString('base64') === text;
        const ok = await storeInlineAttachments(store, [ref(text)]).then(() => true, () => false);
        expect(ok, text).toBe(canonical);
      }
    }
  });

  it('refuses a file over the per-file limit, and a message over the total, with 413 and nothing stored', async () => {
    const tooBig = await storeInlineAttachments(store, [ref(b64('ok')), ref(b64('01234567890'), 'big.bin')], limits).catch((e: unknown) => e);
    expect(tooBig).toBeInstanceOf(AppError);
    expect(tooBig).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect((tooBig as Error).message).toContain('"big.bin"');
    const tooMany = await storeInlineAttachments(store, [ref(b64('0123456789')), ref(b64('abcdef'))], limits).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(files()).toEqual([]);
  });

  it('checks a multi-megabyte string without overflowing the regex engine, and defaults to 10 MB per file', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 7).toString('base64');
    await expect(storeInlineAttachments(store, [ref(big)])).rejects.toMatchObject({ status: 413 });
    await expect(storeInlineAttachments(store, [ref(`${big.slice(0, -4)}!!!!`)])).rejects.toMatchObject({ status: 400 });
    const exact = Buffer.alloc(10 * 1024 * 1024, 7);
    const [out] = await storeInlineAttachments(store, [ref(exact.toString('base64'))]);
    expect(out!.size).toBe(exact.byteLength);
  });
});
