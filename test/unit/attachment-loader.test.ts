import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBlobStore } from '../../src/blob/local-blob-store.ts';
import type { LoadAttachment } from '../../src/domain/model/adapter.ts';
import { createAttachmentLoader } from '../../src/domain/files/attachment-loader.ts';
import type { DeliveryError } from '../../src/errors.ts';
import { createAddressPolicy } from '../../src/net/address-policy.ts';
import { createOutboundClient, type OutboundClient } from '../../src/net/guarded-fetch.ts';
import { type RecordingPeer, startRecordingPeer } from '../peers/recording-peer.ts';

// Core's AdapterDeps.loadAttachment: a file we hold comes from the blob store (its signed link on PUBLIC_URL, often
// loopback, is never fetched); a sender's link goes through the outbound guard, and every way it fails is a
// DeliveryError 'never' that says which file and why, so the message fails at once instead of retrying.

const dir = mkdtempSync(join(tmpdir(), 'sb-loader-'));
const blobs = createLocalBlobStore(dir);
let internal: RecordingPeer;
let redirector: RecordingPeer;
const clients: OutboundClient[] = [];
const loader = (allow: string[] = [], timeoutMs?: number): LoadAttachment => {
  clients.push(createOutboundClient({ policy: createAddressPolicy(allow) }));
  return createAttachmentLoader({ blobs, fetch: clients.at(-1)!.fetch }, timeoutMs ? { timeoutMs } : {});
};

beforeAll(async () => {
  internal = await startRecordingPeer();
  redirector = await startRecordingPeer((req, res) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 3000);
    res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/report.pdf` }).end();
  }, '127.0.0.2');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([internal.close(), redirector.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const pdf = (url: string) => ({ filename: 'report.pdf', contentType: 'application/pdf', url });
const signal = () => AbortSignal.timeout(10_000);
/** Fails with a DeliveryError like `expected`. */
const failsWith = (p: Promise<unknown>, expected: Partial<Pick<DeliveryError, 'retry' | 'message'>>) =>
  expect(p).rejects.toMatchObject({ name: 'DeliveryError', ...expected });

describe('loadAttachment', () => {
  it('reads a file we hold from the blob store, not over its signed link', async () => {
    const { key } = await blobs.put(Buffer.from('stored bytes'), 'text/plain');
    const ref = { ...pdf(`http://127.0.0.1:${internal.port}/files/abc?sig=x`), blobKey: key };
    expect(Buffer.from(await loader()(ref, 1000, signal())).toString()).toBe('stored bytes');
    expect(internal.requests).toEqual([]);
  });

  it.each([
    ['a loopback literal', (port: number) => `http://127.0.0.1:${port}/report.pdf`, 'attachment_blocked: report.pdf: 127.0.0.1 is a loopback address'],
    ['a name resolving to loopback', (port: number) => `http://localhost:${port}/report.pdf`, 'attachment_blocked: report.pdf: localhost resolves to a loopback address'],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', 'attachment_blocked: report.pdf: 169.254.169.254 is a link-local address'],
  ])('refuses %s at once, fetching nothing', async (_what, url, message) => {
    await failsWith(loader()(pdf(url(internal.port)), 1_000_000, signal()), { retry: 'never', message });
    expect(internal.requests).toEqual([]);
  });

  it('refuses a redirect to loopback from an allowed host, and loopback never sees it', async () => {
    const viaRedirect = loader(['127.0.0.2/32'])(pdf(`http://127.0.0.2:${redirector.port}/report.pdf`), 1_000_000, signal());
    await failsWith(viaRedirect, { retry: 'never', message: 'attachment_blocked: report.pdf: 127.0.0.1 is a loopback address' });
    expect(redirector.requests).toHaveLength(1);
    expect(internal.requests).toEqual([]);
  });

  it('fails an unreachable, slow or oversized link at once', async () => {
    const allowed = loader(['127.0.0.0/8'], 300);
    const closed = await startRecordingPeer(undefined, '127.0.0.1');
    await closed.close();
    const refused = allowed(pdf(`http://127.0.0.1:${closed.port}/report.pdf`), 1000, signal());
    await failsWith(refused, { retry: 'never', message: expect.stringMatching(/^attachment_unreachable: report\.pdf: .*ECONNREFUSED/) });
    const slow = allowed(pdf(`http://127.0.0.2:${redirector.port}/slow`), 1000, signal());
    await failsWith(slow, { retry: 'never', message: 'attachment_unreachable: report.pdf: no answer within 300 ms' });
    const big = allowed(pdf(`http://127.0.0.1:${internal.port}/report.pdf`), 5, signal());
    await failsWith(big, { retry: 'never', message: 'attachment_too_large: report.pdf: over the 5-byte limit' });
  });

  it('leaves a send that was itself aborted to be retried', async () => {
    const aborted = AbortSignal.abort();
    await failsWith(loader(['127.0.0.0/8'])(pdf(`http://127.0.0.1:${internal.port}/report.pdf`), 1000, aborted), { retry: 'later' });
  });

  it('says when a ref has no bytes at all, or its blob is gone', async () => {
    await failsWith(loader()({ filename: 'x', contentType: 'text/plain' }, 10, signal()), { retry: 'never', message: expect.stringMatching(/^attachment_missing: x: /) });
    const gone = { filename: 'y', contentType: 'text/plain', blobKey: `ab/cd/abcd${'0'.repeat(60)}` };
    await failsWith(loader()(gone, 10, signal()), { retry: 'never', message: 'attachment_missing: y: its stored bytes are gone' });
  });
});
