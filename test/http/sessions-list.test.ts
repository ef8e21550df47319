import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, channels, sessions } from '../../src/db/schema/index.ts';
import { newPublicId } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenContract, expectOpenError } from '../helpers/contract.ts';

// GET /chat/sessions (keyset cursor) and POST /chat/sessions/filter (pages), on one organization's 25+ sessions.

/** Response bodies are checked field by field below, so they are read untyped. */
const readJson = (res: Response): Promise<any> => res.json();

let t: TestApp;
const ids: string[] = [];
/** Created between two pages of the cursor test. */
let lateId = '';

beforeAll(async () => {
  t = await createTestApp();
  await t.deps.db.insert(channels).values({ orgId: t.orgId, type: 'sms', provider: 'twilio', name: 'SMS', publicId: newPublicId() });
  for (let i = 0; i < 25; i++) {
    const res = await t.call('POST', '/chat/sessions', {
      channel: { type: i % 5 === 0 ? 'sms' : 'api' },
      contact: { email: `c${i}@example.com`, name: i === 7 ? 'Zebedee Quux' : `Contact ${i}` },
      custom_data: { n: i, parity: i % 2 === 0 ? 'even' : 'odd' },
    });
    ids.push((await readJson(res)).id);
  }
});
afterAll(() => t.close());

async function list(query = '') {
  const res = await t.call('GET', `/chat/sessions${query}`);
  const body = await readJson(res);
  if (res.status === 200) expectOpenContract('get', '/chat/sessions', 200, body);
  return { status: res.status, body };
}

describe('GET /chat/sessions', () => {
  it('pages through every session once, newest activity first, with a stable cursor', async () => {
    // Activity: a message makes session 3 the newest; equal-activity sessions fall back to creation and id.
    await t.call('POST', `/chat/sessions/${ids[3]}/send`, { sender: 'contact', message: { type: 'text', text: 'bump' } });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body } = await list(`?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      expect(body.items.length).toBeLessThanOrEqual(10);
      seen.push(...body.items.map((s: { id: string }) => s.id));
      cursor = body.next;
      pages++;
      if (pages === 1) {
        // A session created between pages lands on top, never inside the pages still to come.
        lateId = (await readJson(await t.call('POST', '/chat/sessions', {}))).id;
      }
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen[0]).toBe(ids[3]);
    expect(seen.slice(1)).toEqual(ids.filter((id) => id !== ids[3]).reverse());
  });

  it('defaults to 20 items and refuses a limit above 100', async () => {
    expect((await list()).body.items).toHaveLength(20);
    const bad = await list('?limit=101');
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('limit');
  });

  it('refuses a tampered cursor with 400', async () => {
    const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const uuid = '2b7e1516-28ae-4d2a-a6ab-f7158809cf4f';
    for (const cursor of [
      'garbage',
      forged(['x', 'y']),
      forged([1]),
      forged(['2024-02-30T00:00:00.000000Z', uuid]),
      forged(['2024-01-01T25:00:00.000000Z', uuid]),
      forged(['2024-01-01T00:00:00.000000Z', 'not-a-uuid']),
    ]) {
      const { status, body } = await list(`?cursor=${cursor}`);
      expect(status).toBe(400);
      expectOpenError(body, 400);
      expect(body.message).toBe('Invalid cursor');
    }
  });

  it('filters by status, channel type, handed_off, contact, assignee and dates', async () => {
    await t.call('PATCH', `/chat/sessions/${ids[1]}`, { status: 'closed_resolved' });
    const [agent] = await t.deps.db.insert(agents).values({ orgId: t.orgId, name: 'Al', email: 'al@example.com' }).returning();
    await t.call('PATCH', `/chat/sessions/${ids[2]}`, { handed_off: true, assignee_id: agent!.id });

    const closed = await list('?status=closed_resolved');
    expect(closed.body.items.map((s: { id: string }) => s.id)).toEqual([ids[1]]);
    const sms = await list('?channel_type=sms&limit=100');
    expect(sms.body.items.map((s: { id: string }) => s.id).sort()).toEqual([ids[0], ids[5], ids[10], ids[15], ids[20]].sort());
    expect((await list('?handed_off=true')).body.items.map((s: { id: string }) => s.id)).toEqual([ids[2]]);
    expect((await list(`?assignee_id=${agent!.id}`)).body.items.map((s: { id: string }) => s.id)).toEqual([ids[2]]);
    const one = (await list('?limit=1')).body.items[0];
    const byContact = await list(`?contact_id=${one.contact.id}`);
    expect(byContact.body.items.every((s: { contact: { id: string } }) => s.contact.id === one.contact.id)).toBe(true);

    const [first] = await t.deps.db.select().from(sessions).where(eq(sessions.id, ids[0]!));
    const after = new Date(first!.createdAt.getTime() + 1).toISOString();
    const later = await list(`?created_after=${after}&limit=100`);
    expect(later.body.items.map((s: { id: string }) => s.id)).not.toContain(ids[0]);
    expect((await list(`?created_before=${after}`)).body.items.map((s: { id: string }) => s.id)).toEqual([ids[0]]);
    expect((await list('?updated_after=2999-01-01T00:00:00Z')).body.items).toEqual([]);
    expect((await list('?created_after=yesterday')).status).toBe(400);
    expect((await list('?handed_off=maybe')).status).toBe(400);
  });

  it('filters by priority and unassigned (Switchboard additions), combined with the other filters', async () => {
    await t.call('PATCH', `/chat/sessions/${ids[4]}`, { priority: 'urgent' });
    await t.call('PATCH', `/chat/sessions/${ids[6]}`, { priority: 'high' });
    const idsOf = async (query: string) => {
      const res = await list(query);
      expect(res.status, query).toBe(200);
      return res.body.items.map((s: { id: string }) => s.id);
    };

    expect(await idsOf('?priority=urgent')).toEqual([ids[4]]);
    expect(await idsOf('?priority=high')).toEqual([ids[6]]);
    expect(await idsOf('?priority=low')).toEqual([]);
    const normal = await idsOf('?priority=normal&limit=100');
    expect(normal).toHaveLength(24); // 25 + the late one, minus the urgent and the high
    expect(normal).not.toContain(ids[4]);

    // Only ids[2] has an assignee (previous test).
    expect(await idsOf('?unassigned=false')).toEqual([ids[2]]);
    const unassigned = await idsOf('?unassigned=true&limit=100');
    expect(unassigned).toHaveLength(25);
    expect(unassigned).not.toContain(ids[2]);
    expect(await idsOf('?unassigned=true&priority=urgent&channel_type=api&status=open')).toEqual([ids[4]]);
    expect(await idsOf('?unassigned=true&priority=urgent&channel_type=sms')).toEqual([]);
    expect(await idsOf('?unassigned=false&priority=urgent')).toEqual([]);
    expect(await idsOf('?unassigned=true&priority=high&q=contact%206')).toEqual([ids[6]]);

    const paged = await list('?unassigned=true&limit=10');
    const second = await list(`?unassigned=true&limit=10&cursor=${paged.body.next}`);
    expect(second.body.items.map((s: { id: string }) => s.id)).not.toContain(ids[2]);
    expect(second.body.items).toHaveLength(10);

    for (const bad of ['?priority=extreme', '?priority=URGENT', '?unassigned=yes', '?unassigned=']) {
      const res = await list(bad);
      expect(res.status, bad).toBe(400);
      expectOpenError(res.body, 400);
      expect(res.body.details[0].path, bad).toBe(bad.slice(1).split('=')[0]);
    }
  });

  it('searches contact names and message text with q', async () => {
    expect((await list('?q=zebedee')).body.items.map((s: { id: string }) => s.id)).toEqual([ids[7]]);
    expect((await list('?q=BUMP')).body.items.map((s: { id: string }) => s.id)).toEqual([ids[3]]);
    expect((await list('?q=100%25_off')).body.items).toEqual([]);
    const nul = await list('?q=a%00b');
    expect(nul.status).toBe(400);
    expect(nul.body.details).toEqual([{ path: 'q', message: 'Must not contain NUL characters' }]);
  });
});

describe('POST /chat/sessions/filter', () => {
  const filter = async (body: unknown) => {
    const res = await t.call('POST', '/chat/sessions/filter', body);
    return { status: res.status, body: await readJson(res) };
  };

  it('pages by number with has_next / has_previous', async () => {
    const p1 = await filter({ sort_by: 'created_at', sort_order: 'asc', limit: 10 });
    expect(p1.status).toBe(200);
    expect(p1.body).toMatchObject({ page: 1, limit: 10, has_next: true, has_previous: false });
    expect(p1.body.data.map((s: { id: string }) => s.id)).toEqual(ids.slice(0, 10));
    const p3 = await filter({ sort_by: 'created_at', sort_order: 'asc', limit: 10, page: 3 });
    expect(p3.body).toMatchObject({ page: 3, limit: 10, has_next: false, has_previous: true });
    expect(p3.body.data.map((s: { id: string }) => s.id)).toEqual([...ids.slice(20, 25), lateId]);
    const defaults = await filter({});
    expect(defaults.body).toMatchObject({ page: 1, limit: 25 });
    expect(defaults.body.data.slice(0, 2).map((s: { id: string }) => s.id)).toEqual([lateId, ids[3]]);
    for (const item of defaults.body.data) expectOpenContract('get', '/chat/sessions/{session_id}', 200, item);
  });

  it('filters by custom_data equality, channel types and statuses', async () => {
    const even = await filter({ filters: { custom_data: { parity: 'even' } }, limit: 100 });
    expect(even.body.data).toHaveLength(13);
    const exact = await filter({ filters: { custom_data: { n: 4, parity: 'even' } } });
    expect(exact.body.data.map((s: { id: string }) => s.id)).toEqual([ids[4]]);
    const smsOpen = await filter({ filters: { channel_types: ['sms'], status: ['open'], custom_data: { parity: 'odd' } } });
    expect(smsOpen.body.data.map((s: { id: string }) => s.id).sort()).toEqual([ids[5], ids[15]].sort());
    expect((await filter({ filters: { sentiment: ['angry'] } })).body.data).toEqual([]);
    // Open's kinds Switchboard has no channels of match nothing, alone or beside one it has.
    const none = await filter({ filters: { channel_types: ['instagram', 'messenger', 'web_voice'] } });
    expect([none.status, none.body.data, none.body.has_next]).toEqual([200, [], false]);
    const mixed = await filter({ filters: { channel_types: ['instagram', 'sms'], status: ['open'], custom_data: { parity: 'odd' } } });
    expect(mixed.body.data.map((s: { id: string }) => s.id).sort()).toEqual([ids[5], ids[15]].sort());
    // Open adds fields over time: an unknown filter is ignored, not a 400.
    expect((await filter({ filters: { foo: 1 }, limit: 100 })).body.data).toHaveLength(26);
  });

  it('filters by priorities, unassigned and q', async () => {
    const ofBody = async (filters: unknown) => {
      const res = await filter({ filters, limit: 100 });
      expect(res.status, JSON.stringify(filters)).toBe(200);
      return res.body.data.map((s: { id: string }) => s.id);
    };
    expect((await ofBody({ priority: ['urgent', 'high'] })).sort()).toEqual([ids[4], ids[6]].sort());
    expect(await ofBody({ priority: ['urgent'], channel_types: ['sms'] })).toEqual([]);
    expect(await ofBody({ unassigned: false })).toEqual([ids[2]]);
    expect(await ofBody({ unassigned: true })).toHaveLength(25);
    expect(await ofBody({ q: 'zebedee', unassigned: true })).toEqual([ids[7]]);
    expect(await ofBody({ q: 'BUMP' })).toEqual([ids[3]]);
  });

  it('refuses bad pages, limits, sort keys and nested custom_data', async () => {
    const bodies = [
      { page: 0 },
      { limit: 101 },
      { sort_by: 'name' },
      { filters: { custom_data: { a: { b: 1 } } } },
      { filters: { custom_data: { a: 'nul\u0000' } } },
      { filters: { priority: ['extreme'] } },
      { filters: { priority: 'urgent' } },
      { filters: { unassigned: 'true' } },
      { filters: { q: '' } },
      { filters: { q: 'a\u0000b' } },
    ];
    for (const body of bodies) {
      const res = await filter(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectOpenError(res.body, 400);
    }
  });
});
