import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/blob/blob-store.ts';
import { signFileUrl } from '../../src/blob/signed-url.ts';
import { attachments } from '../../src/db/schema/index.ts';
import { attachmentUrl } from '../../src/domain/files/attachment-urls.ts';
import { storeInlineAttachments } from '../../src/domain/files/attachments.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// GET /files/{id}?expires=&sig=: the signature is the only credential; bytes come back exactly, with headers
// that keep a browser from running them. Through the whole app, with its own blob store.

let t: TestApp;
let blobs: BlobStore;
let files: TestApp['app'];
let messageId: string;

beforeAll(async () => {
  t = await createTestApp();
  blobs = t.deps.blobs;
  files = t.app;
  const session = (await (await t.call('POST', '/chat/sessions', { contact: { email: 'files@example.com' } })).json()) as { id: string };
  const sent = await t.call('POST', `/chat/sessions/${session.id}/send`, { sender: 'contact', message: { type: 'text', text: 'see files' } });
  messageId = ((await sent.json()) as { data: { message: { id: string } } }).data.message.id;
});
afterAll(() => t?.close());

const { publicUrl, secret } = { publicUrl: 'https://switchboard.test', secret: 'test-secret-test-secret-test-secret-0123' };

/** Stores bytes the way the send path does, and the row that names them; returns the row. */
async function insertFile(filename: string, contentType: string, bytes: Uint8Array) {
  const [ref] = await storeInlineAttachments(blobs, [{ filename, contentType, base64: Buffer.from(bytes).toString('base64') }]);
  const [row] = await t.deps.db
    .insert(attachments)
    .values({ orgId: t.orgId, messageId, filename, contentType, size: ref!.size!, sha256: ref!.sha256!, blobKey: ref!.blobKey! })
    .returning();
  return row!;
}

/** A GET with no API key at all. */
const get = (url: string) => files.request(url);
const errorOf = async (res: Response) => (await res.json()) as { statusCode: number; error: string; message: string };

describe('GET /files/{attachment_id}', () => {
  it('returns the exact bytes through a signed link, without an API key', async () => {
    const bytes = randomBytes(256 * 1024);
    const row = await insertFile('report.pdf', 'application/pdf', bytes);
    expect(t.deps.config).toMatchObject({ publicUrl, secret });
    const res = await get(attachmentUrl(row, publicUrl, secret)!);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-length')).toBe(String(bytes.byteLength));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(res.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(898);
    expect(maxAge).toBeLessThanOrEqual(900);
  });

  it('shows raster images inline, and makes everything else (SVG, HTML, odd types) a download', async () => {
    const cases: [string, string, string, string][] = [
      ['photo.png', 'image/png', 'image/png', 'inline'],
      ['Photo.JPG', 'IMAGE/JPEG', 'image/jpeg', 'inline'],
      ['x.svg', 'image/svg+xml', 'image/svg+xml', 'attachment'],
      ['page.html', 'text/html', 'text/html', 'attachment'],
      ['odd', 'text/html; charset=utf-8\r\nSet-Cookie: a=b', 'application/octet-stream', 'attachment'],
    ];
    for (const [name, stored, served, disposition] of cases) {
      const row = await insertFile(name, stored, Buffer.from(`<svg onload="alert(1)">${name}</svg>`));
      const res = await get(attachmentUrl(row, publicUrl, secret)!);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toBe(served);
      expect(res.headers.get('content-disposition')?.split(';')[0], name).toBe(disposition);
      expect(res.headers.get('set-cookie'), name).toBeNull();
    }
  });

  it('names non-ASCII and awkward files with an RFC 8187 filename* and a safe ASCII fallback', async () => {
    const row = await insertFile('Résumé "final" (v2)/é.pdf', 'application/pdf', Buffer.from('%PDF'));
    const res = await get(attachmentUrl(row, publicUrl, secret)!);
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="R_sum_ _final_ (v2)__.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%20%28v2%29%2F%C3%A9.pdf`,
    );
  });

  it('refuses an expired link with 403', async () => {
    const row = await insertFile('old.txt', 'text/plain', Buffer.from('old'));
    const url = signFileUrl(publicUrl, secret, row.id, 900, new Date(Date.now() - 901_000));
    const res = await get(url);
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toMatchObject({ statusCode: 403, error: 'Forbidden', message: 'Invalid or expired file link' });
  });

  it('refuses tampered links with 403: another id, a later expiry, an altered or foreign signature', async () => {
    const a = await insertFile('a.txt', 'text/plain', Buffer.from('a'));
    const b = await insertFile('b.txt', 'text/plain', Buffer.from('b'));
    const url = new URL(attachmentUrl(a, publicUrl, secret)!);
    const sig = url.searchParams.get('sig')!;
    const expires = url.searchParams.get('expires')!;
    const foreign = new URL(signFileUrl(publicUrl, 'another-secret-another-secret-another-00', a.id)).searchParams.get('sig')!;
    for (const tampered of [
      `/files/${b.id}?expires=${expires}&sig=${sig}`,
      `/files/${a.id}?expires=${Number(expires) + 3600}&sig=${sig}`,
      `/files/${a.id}?expires=${expires}&sig=${sig.slice(0, -2)}AA`,
      `/files/${a.id}?expires=${expires}&sig=${foreign}`,
      `/files/${a.id}?expires=${expires}&sig=`,
    ]) {
      const res = await get(`${publicUrl}${tampered}`);
      expect(res.status, tampered).toBe(403);
      expect((await errorOf(res)).statusCode).toBe(403);
    }
  });

  it('answers 403 for a bad signature even on an unknown id (existence is not revealed), 404 for a signed unknown id', async () => {
    const unknown = randomUUID();
    expect((await get(`/files/${unknown}?expires=9999999999&sig=${'A'.repeat(43)}`)).status).toBe(403);
    const res = await get(signFileUrl(publicUrl, secret, unknown));
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('answers 404 for an attachment without stored bytes, and for one whose blob is gone', async () => {
    const [urlOnly] = await t.deps.db
      .insert(attachments)
      .values({ orgId: t.orgId, messageId, filename: 'remote.png', contentType: 'image/png', url: 'https://cdn.example.com/r.png' })
      .returning();
    expect((await get(signFileUrl(publicUrl, secret, urlOnly!.id))).status).toBe(404);
    expect(attachmentUrl(urlOnly!, publicUrl, secret)).toBe('https://cdn.example.com/r.png');

    const [gone] = await t.deps.db
      .insert(attachments)
      .values({ orgId: t.orgId, messageId, filename: 'gone.bin', contentType: 'application/octet-stream', blobKey: `ab/cd/ab${'0'.repeat(62)}` })
      .returning();
    expect((await get(attachmentUrl(gone!, publicUrl, secret)!)).status).toBe(404);
  });

  it('never serves a file from outside the store, whatever blob_key a row holds', async () => {
    const [evil] = await t.deps.db
      .insert(attachments)
      .values({ orgId: t.orgId, messageId, filename: 'passwd', contentType: 'text/plain', blobKey: '../../../../etc/passwd' })
      .returning();
    expect((await get(attachmentUrl(evil!, publicUrl, secret)!)).status).toBe(404);
  });

  it('rejects a malformed id or a link without its query with 400', async () => {
    expect((await get(`/files/not-a-uuid?expires=1&sig=x`)).status).toBe(400);
    expect((await get(`/files/${randomUUID()}`)).status).toBe(400);
  });
});
