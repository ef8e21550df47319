import { randomBytes } from 'node:crypto';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachments, idempotencyKeys } from '../../src/db/schema/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { sweepStorageOnce } from '../../src/domain/files/storage-sweeper.ts';
import { startWorkers } from '../../workers/main.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { blobFiles, blobRoot } from '../helpers/blob-files.ts';

// The storage sweeper on a real database and blob store: a blob no attachment names goes once it is older than
// BLOB_GRACE_MS; one that an attachment of any organization names stays, however old; one put just now stays
// (its message may still be committing); expired Idempotency-Key records go. And the workers run it.

const HOUR = 3_600_000;
const GRACE = 24 * HOUR;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ BLOB_GRACE_MS: String(GRACE) });
});
afterAll(() => t.close());

const hoursAgo = (h: number) => new Date(Date.now() - h * HOUR);
const makeOld = (key: string, hours = 25) => utimesSync(join(blobRoot(t.deps), key), hoursAgo(hours), hoursAgo(hours));
const exists = async (key: string) => (await t.deps.blobs.get(key)) !== null;

/** Sends a message with one inline file into a new session of the org whose key this is; the file's blob key. */
async function sentFile(key: string): Promise<string> {
  const session = (await t.json('POST', '/chat/sessions', { contact: { email: `${randomBytes(4).toString('hex')}@example.com` } }, { key })).body;
  const file = { name: 'f.bin', mime_type: 'application/octet-stream', base64: randomBytes(100).toString('base64') };
  const sent = await t.json('POST', `/chat/sessions/${session.id}/send`, { sender: 'contact', message: { type: 'text', text: 'file', attachments: [file] } }, { key });
  expect(sent.status).toBe(201);
  const [row] = await t.database.db.select().from(attachments).where(eq(attachments.messageId, sent.body.data.message.id));
  return row!.blobKey!;
}

describe('sweepStorageOnce', () => {
  it('removes an old unreferenced blob and keeps referenced ones (any organization) and fresh ones', async () => {
    const referenced = await sentFile(t.adminKey);
    const other = await createOrganization(t.deps, 'Other org');
    const theirs = await sentFile(other.adminKey);
    const orphan = (await t.deps.blobs.put(randomBytes(100), 'application/octet-stream')).key;
    const fresh = (await t.deps.blobs.put(randomBytes(100), 'application/octet-stream')).key;
    const youngOrphan = (await t.deps.blobs.put(randomBytes(100), 'application/octet-stream')).key;
    for (const key of [referenced, theirs, orphan]) makeOld(key, 24 * 30);
    makeOld(youngOrphan, 23);

    const swept = await sweepStorageOnce(t.deps, GRACE);
    expect(swept.blobs).toBe(1);
    expect(await exists(orphan)).toBe(false);
    for (const key of [referenced, theirs, fresh, youngOrphan]) expect(await exists(key), key).toBe(true);
    expect(await sweepStorageOnce(t.deps, GRACE)).toMatchObject({ blobs: 0 });
  });

  it('keeps an old blob that a new message puts again before the sweep', async () => {
    const bytes = randomBytes(100);
    const { key } = await t.deps.blobs.put(bytes, 'application/octet-stream');
    makeOld(key, 48);
    // The same bytes arrive again for a message whose row has not committed yet.
    await t.deps.blobs.put(bytes, 'application/octet-stream');
    await sweepStorageOnce(t.deps, GRACE);
    expect(await exists(key)).toBe(true);
  });

  it('deletes Idempotency-Key records older than a day, and keeps younger ones', async () => {
    const stamp = randomBytes(4).toString('hex');
    const rows = [
      { key: `old-${stamp}`, createdAt: hoursAgo(25) },
      { key: `young-${stamp}`, createdAt: hoursAgo(23) },
    ].map((r) => ({ ...r, orgId: t.orgId, requestHash: 'h', statusCode: 201, response: {} }));
    await t.database.db.insert(idempotencyKeys).values(rows);
    const swept = await sweepStorageOnce(t.deps, GRACE);
    expect(swept.idempotencyKeys).toBeGreaterThanOrEqual(1);
    const left = await t.database.db
      .select({ key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(sql`${idempotencyKeys.key} like ${`%-${stamp}`}`);
    expect(left).toEqual([{ key: `young-${stamp}` }]);
  });
});

describe('the workers', () => {
  it('run the storage sweep periodically', async () => {
    const orphan = (await t.deps.blobs.put(randomBytes(100), 'application/octet-stream')).key;
    makeOld(orphan);
    const before = blobFiles(t.deps).length;
    const workers = startWorkers(t.deps, { storageSweepIntervalMs: 100 });
    try {
      // Until the blob is gone and so is its parked copy (a delete renames the file before it removes it).
      const swept = async () => !(await exists(orphan)) && blobFiles(t.deps).length === before - 1;
      for (let i = 0; i < 100 && !(await swept()); i++) await sleep(50);
      expect(await exists(orphan)).toBe(false);
      expect(blobFiles(t.deps)).toHaveLength(before - 1);
    } finally {
      await workers.close();
    }
  });
});
