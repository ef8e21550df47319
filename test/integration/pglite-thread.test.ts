import { readFileSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { apiKeys, organizations } from '../../src/db/schema/index.ts';

// The embedded database in its own thread (src/db/pglite-thread.ts), as `npm start` opens it: drizzle's queries,
// types, transactions and errors must be those of PGlite in this thread, and the event loop must stay free while the
// database works.

let database: Database;
const NEAR = new URL('../helpers/near-functions.ts', import.meta.url).href;

beforeAll(async () => {
  const dump = readFileSync(inject('pgliteDump'));
  database = await openDatabase({ pgliteDir: 'memory://', pgliteLoad: new Blob([dump]), pgliteThread: true });
  await database.migrate(); // already migrated: a no-op, but it must run through the thread
}, 60_000);
afterAll(() => database?.close());

const newOrg = async (name: string) => {
  const [org] = await database.db.insert(organizations).values({ name }).returning();
  return org!;
};

describe('PGlite in a thread of its own', () => {
  it('returns rows with the driver types: timestamps as Date, jsonb as objects, counts as numbers', async () => {
    const org = await newOrg('Thread Org');
    expect(org.createdAt).toBeInstanceOf(Date);
    const [row] = await database.db.select().from(organizations).where(eq(organizations.id, org.id));
    expect(row).toEqual(org);
    const raw = await database.db.execute(sql`select ${'{"a":[1,2]}'}::jsonb as j, now() as t, 41 + 1 as n`);
    const first = (raw as unknown as { rows: Record<string, unknown>[] }).rows[0]!;
    expect(first.j).toEqual({ a: [1, 2] });
    expect(typeof first.t).toBe('string'); // raw timestamps pass through as text, as drizzle asks of PGlite
    expect(first.n).toBe(42);
  });

  it('commits a transaction, rolls one back when it throws, and keeps savepoints', async () => {
    const kept = await database.db.transaction(async (tx) => {
      const [org] = await tx.insert(organizations).values({ name: 'Committed' }).returning();
      await tx.transaction(async (inner) => {
        await inner.insert(organizations).values({ name: 'Inner rolled back' });
        inner.rollback();
      }).catch(() => {});
      return org!;
    });
    await expect(
      database.db.transaction(async (tx) => {
        await tx.insert(organizations).values({ name: 'Rolled back' });
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    const names = (await database.db.select({ name: organizations.name }).from(organizations)).map((r) => r.name);
    expect(names).toContain(kept.name);
    expect(names).not.toContain('Rolled back');
    expect(names).not.toContain('Inner rolled back');
  });

  it('keeps a transaction isolated from statements issued while it is open', async () => {
    let inside = 0;
    let outside = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = database.db.transaction(async (t) => {
      await t.insert(organizations).values({ name: 'Isolated' });
      await gate;
      inside = (await t.select().from(organizations).where(eq(organizations.name, 'Isolated'))).length;
      throw new Error('undo');
    });
    // Issued while the transaction is open: PGlite has one connection, so it runs after it, and sees no row.
    const after = database.db.select().from(organizations).where(eq(organizations.name, 'Isolated')).then((r) => (outside = r.length));
    release();
    await expect(tx).rejects.toThrow('undo');
    await after;
    expect(inside).toBe(1);
    expect(outside).toBe(0);
  });

  it('throws database errors with their PostgreSQL fields (code, constraint)', async () => {
    const org = await newOrg('Errors');
    const key = { orgId: org.id, name: 'k', role: 'admin' as const, keyHash: 'h'.repeat(64), keyPrefix: 'sb_dup' };
    await database.db.insert(apiKeys).values(key);
    const err = await database.db.insert(apiKeys).values(key).then(() => null, (e: unknown) => e as Error & { cause?: Record<string, unknown> });
    expect(err).not.toBeNull();
    const cause = (err!.cause ?? err) as Record<string, unknown>;
    expect(cause.code).toBe('23505');
    expect(String(cause.constraint)).toMatch(/api_keys/);
  });

  it('serves the event loop while the database works', async () => {
    // 200 ms of work inside the database: a timer due in 20 ms must fire long before it ends.
    const started = Date.now();
    let timerAt = 0;
    const timer = new Promise<void>((r) => setTimeout(() => ((timerAt = Date.now() - started), r()), 20));
    await database.db.execute(sql`select count(*) from generate_series(1, 3000000)`);
    const queryMs = Date.now() - started;
    await timer;
    expect(queryMs).toBeGreaterThan(100);
    expect(timerAt).toBeLessThan(queryMs / 2);
  });

  it('runs a function in the database thread, urgent before work queued ahead of it, and the rest still runs', async () => {
    const order: string[] = [];
    const slow = (i: number) => database.db.execute(sql`select count(*) from generate_series(1, 200000)`).then(() => order.push(`n${i}`));
    const queued = Array.from({ length: 10 }, (_, i) => slow(i));
    const urgent = database.near!<number>(NEAR, 'countOrganizationsNamed', ['Committed'], { urgent: true }).then((n) => {
      order.push('urgent');
      return n;
    });
    const [count] = await Promise.all([urgent, ...queued]);
    expect(count).toBe(1); // it ran on the same database, through its own drizzle
    expect(order).toHaveLength(11);
    expect(order.indexOf('urgent')).toBeLessThan(3);
    await expect(database.near!(NEAR, 'failsWithCode', [])).rejects.toMatchObject({ code: '23505', message: 'duplicate' });
  });

  it('dumps its data dir, which opens again with the same rows', async () => {
    await newOrg('Dumped');
    const dump = await database.dump!();
    const copy = await openDatabase({ pgliteDir: 'memory://', pgliteLoad: dump, pgliteThread: true });
    try {
      const rows = await copy.db.select().from(organizations).where(eq(organizations.name, 'Dumped'));
      expect(rows).toHaveLength(1);
    } finally {
      await copy.close();
    }
  });
});
