import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { knowledge, messages, sessions } from '../../src/db/schema/index.ts';
import { startWorkers, type RunningWorkers } from '../../workers/main.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// The inactivity timer: an AI-handled session that stays quiet after the AI's reply closes as assumed resolved
// (a delayed close job per reply) and is summarized; a session a human owns is never closed by it.

type Session = { status: string; ai_closure_type: string | null; summary?: string; insights?: { resolution: string } };

let t: TestApp;
let workers: RunningWorkers;

beforeAll(async () => {
  t = await createTestApp({ TURN_BURST_MS: '0', INACTIVITY_CLOSE_MS: '700' });
  workers = startWorkers(t.deps, { sweepIntervalMs: 200 });
  await t.database.db.insert(knowledge).values({
    orgId: t.orgId,
    title: 'Opening hours',
    body: 'Our shop is open Monday to Friday from 9:00 to 18:00.',
    tags: [],
  });
});
afterAll(async () => {
  await workers.close();
  await t.close();
});

const ask = async (text: string) => {
  const { id } = (await (await t.call('POST', '/chat/sessions', {})).json()) as { id: string };
  expect((await t.call('POST', `/chat/sessions/${id}/send`, { sender: 'contact', message: { type: 'text', text } })).status).toBe(201);
  return id;
};
const session = async (id: string) => (await (await t.call('GET', `/chat/sessions/${id}`)).json()) as Session;

it('closes a quiet AI-handled session as assumed resolved, with a summary', async () => {
  const id = await ask('When is the shop open?');
  await expect.poll(async () => (await session(id)).status, { timeout: 10_000 }).toBe('closed_resolved');
  expect((await session(id)).ai_closure_type).toBe('assumed_resolved');
  await expect.poll(async () => (await session(id)).summary, { timeout: 10_000 }).toBeTruthy();
}, 30_000);

it('leaves open a session whose customer wrote again after the reply and went to a human', async () => {
  const id = await ask('When is the shop open?');
  // Wait for the AI's reply, so its inactivity timer is running when the customer asks for a person.
  const aiReplies = async () => {
    const body = (await (await t.call('GET', `/chat/sessions/${id}/history`)).json()) as { items: Array<{ event: { type: string; sender?: { type: string } } }> };
    return body.items.filter((i) => i.event.type === 'message' && i.event.sender?.type === 'ai').length;
  };
  await expect.poll(aiReplies, { timeout: 5000 }).toBe(1);
  expect((await t.call('POST', `/chat/sessions/${id}/send`, { sender: 'contact', message: { type: 'text', text: 'I want to talk to a human' } })).status).toBe(201);
  await expect.poll(async () => (await session(id)).ai_closure_type, { timeout: 10_000 }).toBe('handed_off');
  await new Promise((r) => setTimeout(r, 2000));
  expect((await session(id)).status).toBe('open');
}, 30_000);

it('closes a quiet session whose timer job was never added (Redis was down after the commit): the sweep adds it', async () => {
  const { id } = (await (await t.call('POST', '/chat/sessions', {})).json()) as { id: string };
  const [s] = await t.database.db.select().from(sessions).where(eq(sessions.id, id));
  // An AI reply committed while Redis was unreachable: no delayed close job exists for it.
  const past = new Date(Date.now() - 5000);
  await t.database.db.insert(messages).values({
    orgId: s!.orgId, sessionId: id, channelId: s!.channelId, direction: 'out', sender: 'ai', text: 'We open at 9.', createdAt: past,
  });
  await t.database.db.update(sessions).set({ lastMessageAt: past }).where(eq(sessions.id, id));
  await expect.poll(async () => (await session(id)).status, { timeout: 10_000 }).toBe('closed_resolved');
  expect((await session(id)).ai_closure_type).toBe('assumed_resolved');
}, 30_000);
