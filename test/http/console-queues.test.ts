import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertApiKey } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// GET /console/api/queues: the organization's backlog from the database and the job queues' counts, for admins.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

it("counts this organization's waiting work and shows every job queue", async () => {
  const empty = await t.json('GET', '/console/api/queues');
  expect(empty.status).toBe(200);
  expect(empty.body.backlog).toEqual({
    pending_turns: { count: 0, oldest_at: null },
    queued_replies: { count: 0, oldest_at: null },
    failed_replies_24h: 0,
  });
  expect(empty.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['close', 'dispatch', 'notify', 'route', 'turn']);

  // No workers run here: a customer's message waits for its turn, an agent's reply waits to go out.
  const session = await t.json('POST', '/chat/sessions', { contact: { email: 'ada@example.com' } });
  await t.json('POST', `/chat/sessions/${session.body.id}/send`, { sender: 'contact', message: { type: 'text', text: 'Hello?' } });
  await t.json('POST', `/chat/sessions/${session.body.id}/send`, { sender: 'agent', message: { type: 'text', text: 'Hi!' } });
  const busy = await t.json('GET', '/console/api/queues');
  expect(busy.body.backlog.pending_turns.count).toBe(1);
  expect(busy.body.backlog.queued_replies.count).toBe(1);
  expect(Date.parse(busy.body.backlog.pending_turns.oldest_at)).toBeLessThanOrEqual(Date.now());
  const turn = busy.body.queues.find((q: { name: string }) => q.name === 'turn');
  expect(turn.waiting + turn.delayed + turn.active).toBeGreaterThanOrEqual(1);
});

it('is for admins only', async () => {
  const { key } = await insertApiKey(t.database.db, t.orgId, 'agent', 'Agent key');
  expect((await t.json('GET', '/console/api/queues', undefined, { key })).status).toBe(403);
  expect((await t.app.request('/console/api/queues')).status).toBe(401);
});
