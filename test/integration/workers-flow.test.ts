import { afterAll, beforeAll, expect, it } from 'vitest';
import { agents, knowledge, teamMembers, teams } from '../../src/db/schema/index.ts';
import { insertApiKey } from '../../src/domain/organization/organizations.ts';
import { startWorkers, type RunningWorkers } from '../../workers/main.ts';
import { expectOpenContract } from '../helpers/contract.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// The whole life of a conversation through the public API with real workers, Redis and database: an AI answer
// from the knowledge base, a handoff to an online agent of the right team, the agent's reply, and the summary
// and insights once resolved.

type HistoryItem = { id: string; event: { type: string; sender?: { type: string; name?: string }; content?: { text: string }; human_agent_id?: number; context?: { delivery?: { status: string } } } };

let t: TestApp;
let workers: RunningWorkers;
let agentKey: string;
let agentNumber: number;

beforeAll(async () => {
  t = await createTestApp({ TURN_BURST_MS: '100' });
  workers = startWorkers(t.deps, { sweepIntervalMs: 200 });
  const db = t.database.db;
  await db.insert(knowledge).values([
    { orgId: t.orgId, title: 'Refund policy', body: 'You can get a full refund within 30 days of purchase. Refunds are paid back to the original card within 5 business days.', tags: ['billing'] },
    { orgId: t.orgId, title: 'Shipping times', body: 'Orders ship within 2 business days. Delivery in Europe takes 3 to 5 days.', tags: ['shipping'] },
  ]);
  const [team] = await db.insert(teams).values({ orgId: t.orgId, name: 'Billing' }).returning();
  const [agent] = await db.insert(agents).values({ orgId: t.orgId, name: 'Grace', email: 'grace@example.com', availability: 'online', capacity: 3 }).returning();
  await db.insert(teamMembers).values({ orgId: t.orgId, teamId: team!.id, agentId: agent!.id });
  agentNumber = agent!.number;
  agentKey = (await insertApiKey(db, t.orgId, 'agent', 'Grace', undefined, agent!.id)).key;
});
afterAll(async () => {
  await workers.close();
  await t.close();
});

const isAiMessage = (i: HistoryItem) => i.event.type === 'message' && i.event.sender?.type === 'ai';

async function history(sessionId: string): Promise<HistoryItem[]> {
  const res = await t.call('GET', `/chat/sessions/${sessionId}/history?limit=100`);
  const body = (await res.json()) as { items: HistoryItem[] };
  expectOpenContract('get', '/chat/sessions/{session_id}/history', 200, body);
  return body.items;
}
const say = (sessionId: string, text: string, key?: string, sender: 'contact' | 'agent' = 'contact') =>
  t.call('POST', `/chat/sessions/${sessionId}/send`, { sender, message: { type: 'text', text } }, key ? { key } : {});

it('answers from knowledge, hands off to an online agent, carries the agent reply, and summarizes on resolve', async () => {
  const created = await t.call('POST', '/chat/sessions', { contact: { email: 'ada@example.com', name: 'Ada' } });
  const { id } = (await created.json()) as { id: string };
  const teamId = (await t.database.db.select().from(teams))[0]!.id;
  expect((await t.call('PATCH', `/chat/sessions/${id}`, { team_id: teamId })).status).toBe(200);

  expect((await say(id, 'How long do I have to get a refund?')).status).toBe(201);
  await expect.poll(async () => (await history(id)).filter((i) => isAiMessage(i)).length, { timeout: 10_000 }).toBe(1);
  const aiReply = (await history(id)).find((i) => isAiMessage(i))!;
  expect(aiReply.event.content!.text).toMatch(/30 days/);
  await expect.poll(async () => (await history(id)).find((i) => i.id === aiReply.id)?.event.context?.delivery?.status, { timeout: 5000 }).toBe('delivered');

  expect((await say(id, 'I want to talk to a human please')).status).toBe(201);
  await expect.poll(async () => (await history(id)).some((i) => i.event.type === 'human_agent_joined'), { timeout: 10_000 }).toBe(true);
  const joined = (await history(id)).find((i) => i.event.type === 'human_agent_joined')!;
  expect(joined.event.human_agent_id).toBe(agentNumber);
  expect(joined.event.sender).toEqual({ type: 'human_agent', name: 'Grace' });
  const session = (await (await t.call('GET', `/chat/sessions/${id}`)).json()) as { handed_off: boolean; assignee_id?: string };
  expect(session.handed_off).toBe(true);
  expect(session.assignee_id).toBeDefined();
  expect((await history(id)).some((i) => i.event.type === 'handoff')).toBe(true);

  expect((await say(id, 'Hi Ada, Grace here. Let me check your order.', agentKey, 'agent')).status).toBe(201);
  expect((await say(id, 'Thanks!')).status).toBe(201);
  await new Promise((r) => setTimeout(r, 400));
  // The AI stays silent while a human owns the session.
  const h = await history(id);
  expect(h.filter((i) => isAiMessage(i)), JSON.stringify(h.map((i) => [i.event.type, i.event.sender?.type, i.event.content?.text]))).toHaveLength(1);

  expect((await t.call('PATCH', `/chat/sessions/${id}`, { status: 'closed_resolved' })).status).toBe(200);
  await expect.poll(async () => ((await (await t.call('GET', `/chat/sessions/${id}`)).json()) as { summary?: string }).summary, { timeout: 10_000 }).toBeTruthy();
  const closed = (await (await t.call('GET', `/chat/sessions/${id}`)).json()) as {
    summary: string;
    insights: { resolution: string; messages_by_sender: Record<string, number>; first_response_seconds: number | null };
  };
  expectOpenContract('get', '/chat/sessions/{session_id}', 200, closed);
  expect(closed.insights.resolution).toBe('human');
  expect(closed.insights.messages_by_sender).toMatchObject({ contact: 3, ai: 1, agent: 1 });
  expect(closed.insights.first_response_seconds).toBeGreaterThanOrEqual(0);
}, 60_000);

it('answers a burst of three messages once', async () => {
  const { id } = (await (await t.call('POST', '/chat/sessions', { contact: { email: 'burst@example.com' } })).json()) as { id: string };
  for (const text of ['Hello', 'I ordered last week', 'When will my order ship?']) expect((await say(id, text)).status).toBe(201);
  await expect.poll(async () => (await history(id)).filter((i) => isAiMessage(i)).length, { timeout: 10_000 }).toBe(1);
  await new Promise((r) => setTimeout(r, 500));
  const items = await history(id);
  expect(items.filter((i) => isAiMessage(i))).toHaveLength(1);
  expect(items.at(-1)!.event.sender?.type).toBe('ai');
}, 30_000);
