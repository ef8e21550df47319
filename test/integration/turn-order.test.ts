import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Responder } from '../../src/ai/responder.ts';
import { messages } from '../../src/db/schema/index.ts';
import { startWorkers, type RunningWorkers } from '../../workers/main.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// Two worker sets (each with its own Redis connections, as two processes would have) take turns of one session.
// The responder is wrapped to be slow and to record overlap: without the per-session lock, turns overlap and
// replies can leave out of order. The wrapper answers every turn, echoing what it saw, so order is checkable.

let t: TestApp;
const sets: RunningWorkers[] = [];
let active = 0;
let maxActive = 0;

const observe = (): ((r: Responder) => Responder) => (inner) => ({
  summarize: (input, signal) => inner.summarize(input, signal),
  async respond(input) {
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise((r) => setTimeout(r, 150));
    active--;
    return { type: 'reply', text: `answer to: ${input.pending.map((p) => p.text).join(' | ')}`, confidence: 1, sources: [] };
  },
});

beforeAll(async () => {
  t = await createTestApp({ TURN_BURST_MS: '30' });
  for (let i = 0; i < 2; i++) sets.push(startWorkers(t.deps, { wrapResponder: observe(), sweepIntervalMs: 500 }));
});
afterAll(async () => {
  for (const s of sets) await s.close();
  await t.close();
});

it('never runs two turns of one session at once, and replies follow the questions in order', async () => {
  const { id } = (await (await t.call('POST', '/chat/sessions', {})).json()) as { id: string };
  for (let i = 1; i <= 8; i++) {
    const res = await t.call('POST', `/chat/sessions/${id}/send`, { sender: 'contact', message: { type: 'text', text: `q${i}` } });
    expect(res.status).toBe(201);
    await new Promise((r) => setTimeout(r, 60));
  }
  const rows = async () => t.database.db.select().from(messages).where(eq(messages.sessionId, id)).orderBy(messages.seq);
  await expect
    .poll(async () => (await rows()).filter((m) => m.turnState === 'pending' || m.deliveryStatus === 'queued').length, { timeout: 20_000 })
    .toBe(0);

  expect(maxActive).toBe(1);
  const chat = (await rows()).filter((m) => m.eventType === 'message');
  // Every question is answered exactly once, in order, and each answer comes after the questions it answers.
  const answered = chat.filter((m) => m.sender === 'ai').flatMap((m) => m.text!.replace('answer to: ', '').split(' | '));
  expect(answered).toEqual(['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8']);
  const asked = new Set<string>();
  for (const m of chat) {
    if (m.sender === 'contact') asked.add(m.text!);
    else for (const q of m.text!.replace('answer to: ', '').split(' | ')) expect(asked.has(q)).toBe(true);
  }
  expect(chat.filter((m) => m.sender === 'ai').every((m) => m.deliveryStatus === 'delivered')).toBe(true);
}, 40_000);
