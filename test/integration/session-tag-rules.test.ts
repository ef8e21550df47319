import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sessions } from '../../src/db/schema/index.ts';
import { startWorkers, type RunningWorkers } from '../../workers/main.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// Tag rules (AI settings `tag_rules`): on a turn the AI handles, a session whose custom_data matches a rule gets
// its tag — added beside the tags an agent set meanwhile, never replacing them. Real workers, Redis and database.

let t: TestApp;
let workers: RunningWorkers;
beforeAll(async () => {
  t = await createTestApp({ TURN_BURST_MS: '50' });
  workers = startWorkers(t.deps, { sweepIntervalMs: 200 });
});
afterAll(async () => {
  await workers.close();
  await t.close();
});

const tagsOf = async (id: string) => (await t.database.db.select({ tags: sessions.tags }).from(sessions).where(eq(sessions.id, id)))[0]!.tags;
const say = (id: string, text: string) => t.json('POST', `/chat/sessions/${id}/send`, { sender: 'contact', message: { type: 'text', text } });

it('tags matching sessions on the AI’s turn, keeps the agent’s tags, and leaves others alone', async () => {
  const rules = [
    { tag: 'VIP', when: { plan: 'enterprise' } },
    { tag: 'eu-customer', when: { region: 'eu', plan: 'enterprise' } },
  ];
  const patched = await t.json('PATCH', '/settings/ai', { tag_rules: rules });
  expect(patched.status).toBe(200);
  expect(patched.body.tag_rules).toEqual(rules);

  const vip = (await t.json('POST', '/chat/sessions', { custom_data: { plan: 'enterprise', region: 'us' } })).body.id;
  const plain = (await t.json('POST', '/chat/sessions', { custom_data: { plan: 'free', region: 'eu' } })).body.id;
  await t.json('POST', `/chat/sessions/${vip}/tags`, { tags: ['callback'] });
  expect((await say(vip, 'Hello, where can I download my invoice?')).status).toBe(201);
  expect((await say(plain, 'Hello, where can I download my invoice?')).status).toBe(201);

  await expect.poll(() => tagsOf(vip), { timeout: 10_000 }).toEqual(['callback', 'vip']);
  await expect.poll(async () => (await t.json('GET', `/chat/sessions/${plain}/history`)).body.items.length, { timeout: 10_000 }).toBeGreaterThan(1);
  expect(await tagsOf(plain)).toEqual([]);
});

it('refuses a rule without conditions or with a comma in its tag', async () => {
  for (const rule of [{ tag: 'x', when: {} }, { tag: 'a,b', when: { k: 'v' } }, { tag: 'x', when: { k: { nested: 1 } } }]) {
    const res = await t.json('PATCH', '/settings/ai', { tag_rules: [rule] });
    expect(res.status, JSON.stringify(rule)).toBe(400);
  }
});
