import { eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.ts';
import { organizations } from '../../src/db/schema/index.ts';

// Functions test/integration/pglite-thread.test.ts runs inside the database thread (Database.near).

export async function countOrganizationsNamed(db: Db, name: string): Promise<number> {
  return (await db.select().from(organizations).where(eq(organizations.name, name))).length;
}

export async function failsWithCode(): Promise<never> {
  throw Object.assign(new Error('duplicate'), { code: '23505' });
}
