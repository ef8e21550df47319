import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, events } from '../../src/db/schema/index.ts';
import { createOrganization, insertApiKey } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenContract, expectOpenError } from '../helpers/contract.ts';

// Session tags through the API: add (normalized), remove, replace with PATCH, one event per change, filters on
// GET /chat/sessions and POST /chat/sessions/filter, agent keys allowed, other organizations never.

let t: TestApp;
let agentKey: string;
beforeAll(async () => {
  t = await createTestApp();
  const [agent] = await t.deps.db.insert(agents).values({ orgId: t.orgId, name: 'Grace', email: 'grace@example.com' }).returning();
  agentKey = (await insertApiKey(t.deps.db, t.orgId, 'agent', 'Grace key', undefined, agent!.id)).key;
});
afterAll(() => t.close());

async function create(): Promise<string> {
  const res = await t.json('POST', '/chat/sessions', {});
  expect(res.status).toBe(201);
  return res.body.id;
}
const tagsOf = async (id: string) => (await t.json('GET', `/chat/sessions/${id}`)).body.tags;
const tagEvents = async (id: string) =>
  (await t.deps.db.select().from(events).where(eq(events.sessionId, id)).orderBy(events.seq)).filter((e) => e.type === 'conversation.tags_changed');

describe('session tags', () => {
  it('adds tags normalized (lower-case, trimmed, unique, sorted), removes one, and shows them on the session', async () => {
    const id = await create();
    const added = await t.json('POST', `/chat/sessions/${id}/tags`, { tags: ['VIP ', 'refund', 'vip', 'Late  delivery'] });
    expect(added).toMatchObject({ status: 200, body: { tags: ['late delivery', 'refund', 'vip'] } });
    const session = await t.json('GET', `/chat/sessions/${id}`);
    expectOpenContract('get', '/chat/sessions/{session_id}', 200, session.body);
    expect(session.body.tags).toEqual(['late delivery', 'refund', 'vip']);

    const removed = await t.json('DELETE', `/chat/sessions/${id}/tags/${encodeURIComponent('Late Delivery')}`);
    expect(removed.body.tags).toEqual(['refund', 'vip']);
    // Removing what is not there changes nothing: 200, and no event.
    expect((await t.json('DELETE', `/chat/sessions/${id}/tags/nothing`)).body.tags).toEqual(['refund', 'vip']);
    const evs = await tagEvents(id);
    expect(evs.map((e) => [e.data.added, e.data.removed, e.data.changed_by])).toEqual([
      [['late delivery', 'refund', 'vip'], [], 'api'],
      [[], ['late delivery'], 'api'],
    ]);
  });

  it('replaces the whole set with PATCH tags, and an agent key may tag', async () => {
    const id = await create();
    await t.json('POST', `/chat/sessions/${id}/tags`, { tags: ['a', 'b'] });
    const patched = await t.json('PATCH', `/chat/sessions/${id}`, { tags: ['B', 'c'] });
    expect(patched.body.tags).toEqual(['b', 'c']);
    const byAgent = await t.json('POST', `/chat/sessions/${id}/tags`, { tags: ['escalated'] }, { key: agentKey });
    expect(byAgent.body.tags).toEqual(['b', 'c', 'escalated']);
    expect((await tagEvents(id)).at(-1)!.data).toMatchObject({ added: ['escalated'], changed_by: 'human_agent' });
  });

  it('filters GET /chat/sessions (comma-separated, any of) and POST /chat/sessions/filter by tag', async () => {
    const [billing, shipping, none] = [await create(), await create(), await create()];
    await t.json('POST', `/chat/sessions/${billing}/tags`, { tags: ['billing-q'] });
    await t.json('POST', `/chat/sessions/${shipping}/tags`, { tags: ['shipping-q'] });
    const ids = (items: { id: string }[]) => items.map((s) => s.id).sort();
    expect(ids((await t.json('GET', '/chat/sessions?tags=Billing-Q')).body.items)).toEqual([billing]);
    expect(ids((await t.json('GET', '/chat/sessions?tags=billing-q,shipping-q&limit=100')).body.items)).toEqual([billing, shipping].sort());
    expect(ids((await t.json('POST', '/chat/sessions/filter', { filters: { tags: ['shipping-q'] } })).body.data)).toEqual([shipping]);
    expect((await t.json('GET', '/chat/sessions?tags=unused-tag')).body.items).toEqual([]);
    expect(await tagsOf(none)).toEqual([]);
  });

  it('refuses bad tags with 400 and another organization’s session with 404', async () => {
    const id = await create();
    for (const body of [{ tags: [] }, { tags: ['a,b'] }, { tags: ['x'.repeat(51)] }, { tags: [' '] }, { tags: 'vip' }, { tags: ['ok'], extra: 1 }]) {
      const res = await t.json('POST', `/chat/sessions/${id}/tags`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectOpenError(res.body, 400);
    }
    expect((await t.json('GET', `/chat/sessions?tags=${'y'.repeat(60)}`)).status).toBe(400);
    const other = await createOrganization(t.deps, 'Other org');
    expect((await t.json('POST', `/chat/sessions/${id}/tags`, { tags: ['mine'] }, { key: other.adminKey })).status).toBe(404);
    expect((await t.json('DELETE', `/chat/sessions/${id}/tags/mine`, undefined, { key: other.adminKey })).status).toBe(404);
    expect(await tagsOf(id)).toEqual([]);
  });
});
