import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
import { organizations } from '../../src/db/schema/index.ts';
import { freshDatabase } from '../helpers/services.ts';

const databaseUrl = inject('databaseUrl');

describe(`freshDatabase (${databaseUrl ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('gives migrated databases that do not see each other', async () => {
    const a = await freshDatabase();
    const b = await freshDatabase();
    try {
      expect(a.kind).toBe(databaseUrl ? 'postgres' : 'pglite');
      await a.migrate(); // already migrated: a no-op
      await a.ping();
      const [org] = await a.db.insert(organizations).values({ name: 'Only in A' }).returning();
      expect(org?.name).toBe('Only in A');
      expect(org?.ticketSeq).toBe(0);
      expect(await a.db.select().from(organizations)).toHaveLength(1);
      expect(await b.db.select().from(organizations)).toHaveLength(0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it.skipIf(!databaseUrl)('drops its PostgreSQL database on close', async () => {
    const d = await freshDatabase();
    const rows = await d.db.execute<{ name: string }>(sql`select current_database() as name`);
    const name = [...(rows as Iterable<{ name: string }>)][0]?.name;
    expect(name).toMatch(/^sb_t_[0-9a-f]+$/);
    await d.close();
    const server = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      expect(await server`select 1 from pg_database where datname = ${name!}`).toHaveLength(0);
    } finally {
      await server.end();
    }
  });
});
