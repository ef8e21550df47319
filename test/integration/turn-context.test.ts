import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledge, messages, organizations } from '../../src/db/schema/index.ts';
import { loadPending, loadTurnContext } from '../../src/domain/handling/turn-context.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// A turn's context reads the organization's knowledge only when it changed (its version: row count and xmin), and
// gives the same array back until then, so the knowledge index is built once. Any change, through the API or by
// SQL behind the server's back, is seen at the next turn.

let t: TestApp;
let sessionId: string;

beforeAll(async () => {
  t = await createTestApp();
  ({ id: sessionId } = (await (await t.call('POST', '/chat/sessions', {})).json()) as { id: string });
  const res = await t.call('POST', `/chat/sessions/${sessionId}/send`, { sender: 'contact', message: { type: 'text', text: 'hello?' } });
  expect(res.status).toBe(201);
});
afterAll(() => t.close());

const context = async () => {
  const pending = await loadPending(t.database.db, sessionId);
  const ctx = await loadTurnContext(t.database.db, sessionId, pending.map((p) => p.id));
  return ctx!;
};

describe('turn context', () => {
  it('reads the pending messages and the history in order', async () => {
    const ctx = await context();
    expect(ctx.pending.map((p) => p.text)).toEqual(['hello?']);
    expect(ctx.history.at(-1)?.text).toBe('hello?');
  });

  it('gives the same knowledge until it changes, then the new one, however it changed', async () => {
    const first = await context();
    expect((await context()).knowledge).toBe(first.knowledge);

    const created = await t.call('POST', '/knowledge', { title: 'Opening hours', body: 'We are open 9 to 5.' });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const afterCreate = (await context()).knowledge;
    expect(afterCreate).not.toBe(first.knowledge);
    expect(afterCreate.map((a) => a.title)).toContain('Opening hours');
    expect((await context()).knowledge).toBe(afterCreate);
    // Another organization's articles are not this one's version.
    const [other] = await t.database.db.insert(organizations).values({ name: 'Other org' }).returning();
    await t.database.db.insert(knowledge).values({ orgId: other!.id, title: 'Elsewhere', body: 'Not ours.' });
    expect((await context()).knowledge).toBe(afterCreate);

    expect((await t.call('PATCH', `/knowledge/${id}`, { body: 'We are open 8 to 6.' })).status).toBe(200);
    expect((await context()).knowledge.find((a) => a.id === id)?.body).toBe('We are open 8 to 6.');

    // Behind the server's back (updated_at untouched): the version is the rows' xmin, not a clock.
    await t.database.db.update(knowledge).set({ body: 'Closed on Sundays.' }).where(eq(knowledge.id, id));
    expect((await context()).knowledge.find((a) => a.id === id)?.body).toBe('Closed on Sundays.');

    expect((await t.call('DELETE', `/knowledge/${id}`)).status).toBe(200);
    expect((await context()).knowledge.find((a) => a.id === id)).toBeUndefined();
  });

  it('changes its settings version when the AI settings change, and only then', async () => {
    const before = (await context()).settingsVersion;
    expect((await context()).settingsVersion).toBe(before);
    expect((await t.call('PATCH', '/settings/ai', { confidence_threshold: 0.61 })).status).toBe(200);
    expect((await context()).settingsVersion).not.toBe(before);
  });

  it('finds pending messages older than the history window', async () => {
    for (let i = 0; i < 55; i++) {
      const res = await t.call('POST', `/chat/sessions/${sessionId}/send`, { sender: 'contact', message: { type: 'text', text: `m${i}` } });
      expect(res.status).toBe(201);
    }
    const pending = await t.database.db.select({ id: messages.id }).from(messages).where(eq(messages.sessionId, sessionId));
    const ctx = await loadTurnContext(t.database.db, sessionId, pending.map((p) => p.id));
    expect(ctx!.pending[0]?.text).toBe('hello?');
    expect(ctx!.pending).toHaveLength(56);
  });
});
