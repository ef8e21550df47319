import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { expectOpenContract } from '../helpers/contract.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { blobFiles } from '../helpers/blob-files.ts';

// Files sent inline (base64) through the Sessions API are kept, not dropped: the history links them with a
// short-lived signed URL that serves the very same bytes, with no API key. Another organization's session gets none.

let t: TestApp;
let sessionId: string;

beforeAll(async () => {
  t = await createTestApp();
  const res = await t.call('POST', '/chat/sessions', { contact: { email: 'files@example.com' } });
  sessionId = ((await res.json()) as { id: string }).id;
});
afterAll(() => t.close());

const send = (attachments: unknown[], text = 'see attached') =>
  t.call('POST', `/chat/sessions/${sessionId}/send`, { sender: 'contact', message: { type: 'text', text, attachments } });

it('stores an inline file and serves the same bytes through the signed URL in the history', async () => {
  const bytes = randomBytes(300_000);
  const res = await send([{ name: 'receipt.png', mime_type: 'image/png', base64: bytes.toString('base64') }]);
  expect(res.status).toBe(201);

  const history = (await (await t.call('GET', `/chat/sessions/${sessionId}/history`)).json()) as {
    items: Array<{ event: { attachments?: Array<{ name: string; size: number; type: string; url: string }> } }>;
  };
  expectOpenContract('get', '/chat/sessions/{session_id}/history', 200, history);
  const file = history.items.at(-1)!.event.attachments![0]!;
  expect(file).toMatchObject({ name: 'receipt.png', size: 300_000, type: 'image/png' });
  const url = new URL(file.url);
  expect(url.origin).toBe('https://switchboard.test');
  expect(url.searchParams.get('sig')).toBeTruthy();

  const download = await t.app.request(url.pathname + url.search);
  expect(download.status).toBe(200);
  expect(download.headers.get('content-type')).toBe('image/png');
  expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

  url.searchParams.set('sig', 'A'.repeat(43));
  expect((await t.app.request(url.pathname + url.search)).status).toBe(403);
});

it('refuses invalid base64 with a 400 naming the file, and stores no message', async () => {
  const res = await send([{ name: 'bad.txt', mime_type: 'text/plain', base64: 'not*base64' }], 'bad file');
  expect(res.status).toBe(400);
  const body = (await res.json()) as { details: Array<{ path: string }> };
  expect(body.details[0]!.path).toBe('message.attachments.0.base64');
  const history = (await (await t.call('GET', `/chat/sessions/${sessionId}/history`)).json()) as {
    items: Array<{ event: { content?: { text: string } } }>;
  };
  expect(history.items.some((i) => i.event.content?.text === 'bad file')).toBe(false);
});

it('refuses a file over the per-file limit with 413', async () => {
  const res = await send([{ name: 'big.bin', mime_type: 'application/octet-stream', base64: Buffer.alloc(11 * 1024 * 1024).toString('base64') }]);
  expect(res.status).toBe(413);
});

it('stores nothing for a session of another organization: 404 before any file is written', async () => {
  const other = await createOrganization(t.deps, 'Other org');
  const res = await t.call('POST', '/chat/sessions', { contact: { email: 'theirs@example.com' } }, { key: other.adminKey });
  const theirs = ((await res.json()) as { id: string }).id;
  const file = () => [{ name: 'x.bin', mime_type: 'application/octet-stream', base64: randomBytes(2000).toString('base64') }];
  const before = blobFiles(t.deps);
  const refused = await t.call('POST', `/chat/sessions/${theirs}/send`, { sender: 'contact', message: { type: 'text', text: 'hi', attachments: file() } });
  expect(refused.status).toBe(404);
  expect(blobFiles(t.deps)).toEqual(before);
  // The same request to a session of one's own does write the file: the count above would have seen it.
  expect((await send(file())).status).toBe(201);
  expect(blobFiles(t.deps)).toHaveLength(before.length + 1);
});
