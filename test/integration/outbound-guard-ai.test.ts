import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../src/db/schema/index.ts';
import { startWorkers, type RunningWorkers } from '../../workers/main.ts';
import { ALLOW_LOOPBACK, createTestApp, type TestApp } from '../helpers/app.ts';
import { type OpenAiPeer, startOpenAiPeer } from '../peers/openai-peer.ts';

// The AI's base_url is an admin's choice, so the workers' responder calls it through the outbound guard. A name that
// resolves to loopback passes PATCH /settings/ai (only literals are refused there) and is refused when the turn
// connects: the customer is handed off saying why, and the model server never sees the conversation. Where the
// operator allows loopback, the same local model answers.

let peer: OpenAiPeer;
const apps: Array<{ t: TestApp; workers: RunningWorkers }> = [];

beforeAll(async () => {
  peer = await startOpenAiPeer();
});
afterAll(async () => {
  for (const { t, workers } of apps) {
    await workers.close();
    await t.close();
  }
  await peer.close();
});

async function appWithLocalModel(env: Record<string, string>) {
  const t = await createTestApp({ TURN_BURST_MS: '20', ...env });
  apps.push({ t, workers: startWorkers(t.deps, { sweepIntervalMs: 200 }) });
  const base_url = peer.baseUrl.replace('127.0.0.1', 'localhost');
  const patched = await t.json('PATCH', '/settings/ai', { responder: 'openai', base_url, model: 'local-model' });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  return t;
}

/** A customer asks on the API channel; resolves with the session's history entries once the AI turn is done. */
async function ask(t: TestApp, text: string) {
  const session = (await t.json('POST', '/chat/sessions', { contact: { email: `ai${Math.random()}@example.com` } })).body.id as string;
  expect((await t.json('POST', `/chat/sessions/${session}/send`, { sender: 'contact', message: { type: 'text', text } })).status).toBe(201);
  const entries = () => t.deps.db.select().from(messages).where(eq(messages.sessionId, session));
  await expect.poll(async () => (await entries()).some((m) => m.sender === 'ai' || m.eventType === 'handoff'), { timeout: 15_000 }).toBe(true);
  return entries();
}

describe('the AI responder through the outbound guard', () => {
  it('hands off, saying the address is not allowed, when base_url names a host resolving to loopback', async () => {
    const t = await appWithLocalModel({});
    const history = await ask(t, 'How long does shipping take?');
    const handoff = history.find((m) => m.eventType === 'handoff');
    expect(handoff?.text).toMatch(/^AI endpoint failed \(network\): .*address not allowed: localhost resolves to a loopback address/);
    expect(peer.requests).toEqual([]);
  });

  it('answers from the same local model where the operator allows loopback', async () => {
    const t = await appWithLocalModel(ALLOW_LOOPBACK);
    peer.enqueue({ kind: 'text', text: 'Orders ship within 2 business days.' });
    const history = await ask(t, 'How long does shipping take?');
    expect(history.find((m) => m.sender === 'ai')?.text).toBe('Orders ship within 2 business days.');
    expect(peer.requests).toHaveLength(1);
  });
});
