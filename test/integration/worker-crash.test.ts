import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Responder } from '../../src/ai/responder.ts';
import { messages } from '../../src/db/schema/index.ts';
import { startWorkers, type RunningWorkers } from '../../workers/main.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// A worker dies in the middle of a turn (its responder never returns, its connections are cut, it renews no
// lock). Another worker takes the stalled job once the dead one's session lock expires and answers. When the
// "dead" turn wakes up late and tries to answer too, it finds the messages answered: one reply, not two.

let t: TestApp;
let survivor: RunningWorkers | undefined;
let wakeTheDead: () => void = () => {};
let deadEntered = false;

const reply = (text: string): ((r: Responder) => Responder) => (inner) => ({
  summarize: (input, signal) => inner.summarize(input, signal),
  respond: async (input) => ({ type: 'reply', text: `${text}: ${input.pending.map((p) => p.text).join(' | ')}`, confidence: 1, sources: [] }),
});

beforeAll(async () => {
  t = await createTestApp({ TURN_BURST_MS: '0', SESSION_LOCK_MS: '1500' });
});
afterAll(async () => {
  wakeTheDead();
  await survivor?.close();
  await t.close();
});

it('loses nothing and sends one reply when a worker dies mid-turn', async () => {
  const hanging: (r: Responder) => Responder = (inner) => ({
    summarize: (input, signal) => inner.summarize(input, signal),
    respond: async (input) => {
      deadEntered = true;
      await new Promise<void>((resolve) => (wakeTheDead = resolve));
      return { type: 'reply', text: `late: ${input.pending.map((p) => p.text).join(' | ')}`, confidence: 1, sources: [] };
    },
  });
  const doomed = startWorkers(t.deps, { wrapResponder: hanging, stalledIntervalMs: 300, lockDurationMs: 1000 });
  const { id } = (await (await t.call('POST', '/chat/sessions', {})).json()) as { id: string };
  const res = await t.call('POST', `/chat/sessions/${id}/send`, { sender: 'contact', message: { type: 'text', text: 'are you there?' } });
  expect(res.status).toBe(201);
  await expect.poll(() => deadEntered, { timeout: 10_000 }).toBe(true);
  await doomed.close(true);

  survivor = startWorkers(t.deps, { wrapResponder: reply('survivor'), stalledIntervalMs: 300, lockDurationMs: 1000 });
  const aiReplies = async () =>
    (await t.database.db.select().from(messages).where(eq(messages.sessionId, id))).filter((m) => m.sender === 'ai');
  await expect.poll(async () => (await aiReplies()).length, { timeout: 20_000 }).toBe(1);
  expect((await aiReplies())[0]!.text).toBe('survivor: are you there?');

  wakeTheDead();
  await new Promise((r) => setTimeout(r, 1000));
  expect((await aiReplies()).map((m) => m.text)).toEqual(['survivor: are you there?']);
  const [question] = await t.database.db.select().from(messages).where(eq(messages.text, 'are you there?'));
  expect(question!.turnState).toBe('done');
}, 40_000);
