import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { messages } from '../../src/db/schema/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { startWorkers } from '../../workers/main.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// POST /chat/sessions/{id}/messages/{message_id}/retry: a reply whose delivery failed goes out again.

let t: TestApp;
let sessionId: string;
let replyId: string;
let questionId: string;

beforeAll(async () => {
  t = await createTestApp();
  sessionId = ((await t.json('POST', '/chat/sessions', {})).body as { id: string }).id;
  questionId = (await t.json('POST', `/chat/sessions/${sessionId}/send`, { sender: 'contact', message: { type: 'text', text: 'hi' } })).body.data.message.id;
  replyId = (await t.json('POST', `/chat/sessions/${sessionId}/send`, { sender: 'agent', message: { type: 'text', text: 'Hello!' } })).body.data.message.id;
});
afterAll(() => t.close());

const retry = (id: string, key?: string) => t.json('POST', `/chat/sessions/${sessionId}/messages/${id}/retry`, undefined, key ? { key } : {});
const row = async (id: string) => (await t.database.db.select().from(messages).where(eq(messages.id, id)))[0]!;

it('refuses what is not a failed reply: 409, and 404 for unknown or foreign ids', async () => {
  expect((await retry(replyId)).status).toBe(409); // still queued
  expect((await retry(questionId)).status).toBe(409); // inbound
  expect((await retry('6f1c2f5e-2a7b-4c1e-9d7e-0b7f6f0c1a2b')).status).toBe(404);
  const other = await createOrganization(t.deps, 'Other');
  expect((await retry(replyId, other.adminKey)).status).toBe(404);
});

it('queues a failed reply again, replacing its spent job, and it is delivered', async () => {
  await t.database.db.update(messages).set({ deliveryStatus: 'failed', error: 'provider said no (21610)' }).where(eq(messages.id, replyId));
  const res = await retry(replyId);
  expect(res).toEqual({ status: 202, body: { success: true } });
  expect(await row(replyId)).toMatchObject({ deliveryStatus: 'queued', error: null });
  const job = await t.deps.queues.dispatch.getJob(`dispatch-${replyId}`);
  expect(await job?.getState()).toBe('waiting');

  const workers = startWorkers(t.deps);
  try {
    await expect.poll(async () => (await row(replyId)).deliveryStatus, { timeout: 10_000 }).toBe('delivered');
  } finally {
    await workers.close();
  }
});
