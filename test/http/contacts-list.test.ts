import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenContract, expectOpenError } from '../helpers/contract.ts';

// GET /contacts: newest first, keyset cursor, date filters, `q` search and the exact `email` filter.

type Json = Record<string, any>;
let t: TestApp;
/** Ids in creation order: ids[0] is the oldest. */
const ids: string[] = [];
let between: string;

async function list(query = ''): Promise<Json> {
  const res = await t.call('GET', `/contacts${query}`);
  const body = (await res.json()) as Json;
  expect(res.status, JSON.stringify(body)).toBe(200);
  expectOpenContract('get', '/contacts', 200, body);
  return body;
}

const people = [
  { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+15550000001', custom_data: { plan: 'pro' } },
  { name: 'Alan Turing', email: 'alan@example.org', phone: '+15550000002' },
  { name: 'Grace Hopper', email: 'grace@navy.example', phone: '+15550000003' },
  { name: '100% Real_Name', phone: '+4420000000' },
  { name: 'Edsger Dijkstra', email: 'edsger@example.nl' },
];

beforeAll(async () => {
  t = await createTestApp();
  for (const [i, contact] of people.entries()) {
    if (i === 3) {
      await new Promise((r) => setTimeout(r, 20));
      between = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
    }
    const res = await t.call('POST', '/contacts', { contact });
    ids.push(((await res.json()) as Json).id);
  }
});
afterAll(() => t.close());

describe('GET /contacts', () => {
  it('lists newest first in Open’s envelope', async () => {
    const body = await list();
    expect(body.items.map((c: Json) => c.id)).toEqual([...ids].reverse());
    expect(body.next).toBeNull();
    expect(body.items[4]).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', phone_number: '+15550000001' });
  });

  it('pages with the cursor until next is null, with no gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const body = await list(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((c: Json) => c.id));
      cursor = body.next;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by creation and update time', async () => {
    const after = await list(`?created_after=${encodeURIComponent(between)}`);
    expect(after.items.map((c: Json) => c.id)).toEqual([ids[4], ids[3]]);
    const before = await list(`?created_before=${encodeURIComponent(between)}`);
    expect(before.items.map((c: Json) => c.id)).toEqual([ids[2], ids[1], ids[0]]);

    const mark = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await t.call('PATCH', `/contacts/${ids[1]}`, { contact: { name: 'Alan M. Turing' } });
    expect((await list(`?updated_after=${encodeURIComponent(mark)}`)).items.map((c: Json) => c.id)).toEqual([ids[1]]);
    expect((await list(`?updated_before=${encodeURIComponent(mark)}`)).items).toHaveLength(4);
  });

  it('searches name, email and phone with q (case-insensitive, wildcards taken literally)', async () => {
    const q = async (text: string) => (await list(`?q=${encodeURIComponent(text)}`)).items.map((c: Json) => c.id);
    expect(await q('grace')).toEqual([ids[2]]);
    expect(await q('EXAMPLE.ORG')).toEqual([ids[1]]);
    expect(await q('+4420')).toEqual([ids[3]]);
    expect(await q('100%')).toEqual([ids[3]]);
    expect(await q('_')).toEqual([ids[3]]);
    expect(await q('nobody')).toEqual([]);
  });

  it('filters by exact email, ignoring case', async () => {
    expect((await list('?email=ADA@example.com')).items.map((c: Json) => c.id)).toEqual([ids[0]]);
    expect((await list('?email=ada@example')).items).toEqual([]);
  });

  it.each([
    ['a limit over 100', '?limit=101'],
    ['a zero limit', '?limit=0'],
    ['a forged cursor', `?cursor=${Buffer.from('["x","y"]').toString('base64url')}`],
    ['garbage for a cursor', '?cursor=%%%'],
    ['a bad date', '?created_after=yesterday'],
  ])('refuses %s with 400', async (_what, query) => {
    const res = await t.call('GET', `/contacts${query}`);
    expect(res.status).toBe(400);
    expectOpenError(await res.json(), 400);
  });
});
