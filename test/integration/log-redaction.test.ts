import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { channels, messages } from '../../src/db/schema/index.ts';
import { channelRegistry } from '../../channels/registry.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { createLogger } from '../../src/logger.ts';
import { freshDatabase } from '../helpers/services.ts';
import { eq } from 'drizzle-orm';

// A query that fails on the real database (PGlite, or PostgreSQL with DATABASE_URL) throws drizzle's
// DrizzleQueryError, which carries the query's values — here a customer's message text. Logged through the app's
// logger, as `{ err }` or as `{ err: err.message }`, the SQL and the database's reason stay and the text does not.

const SECRET_TEXT = 'my card number is 4111 1111 1111 1111';
let database: Database;
let failure: Error;

beforeAll(async () => {
  database = await freshDatabase();
  const org = await createOrganization({ db: database.db, channels: channelRegistry }, 'Log org');
  const [channel] = await database.db.select().from(channels).where(eq(channels.orgId, org.id)).limit(1);
  // A session that does not exist: the insert fails on its foreign key, after the values were sent.
  failure = await database.db
    .insert(messages)
    .values({ orgId: org.id, sessionId: randomUUID(), channelId: channel!.id, direction: 'in', sender: 'contact', text: SECRET_TEXT })
    .then(
      () => new Error('the insert was expected to fail'),
      (err: Error) => err,
    );
});
afterAll(() => database.close());

function logged(write: (logger: ReturnType<typeof createLogger>) => void): string {
  const lines: string[] = [];
  write(createLogger('info', 'log-test', { write: (line: string) => void lines.push(line) }));
  return lines.join('');
}

it('the failure really carries the text (so the checks below can fail)', () => {
  expect(failure.message).toMatch(/^Failed query: insert into "messages"/);
  expect(failure.message).toContain(SECRET_TEXT);
  expect((failure as { params?: unknown[] }).params).toContain(SECRET_TEXT);
});

it('{ err }: type, SQL, the database’s reason and the stack are kept; the values are not', () => {
  const out = logged((log) => log.warn({ err: failure, messageId: 'm-1' }, 'message not stored'));
  expect(out).not.toContain('4111');
  const line = JSON.parse(out) as { err: Record<string, string>; messageId: string };
  expect(line.messageId).toBe('m-1');
  expect(line.err.message).toMatch(/^Failed query: insert into "messages" .* \[parameters not logged\]: .*foreign key/s);
  expect(line.err.stack).toMatch(/\n\s+at /);
  expect(line.err).not.toHaveProperty('params');
});

it('{ err: err.message } loses the values too; other errors and strings are logged as they are', () => {
  expect(logged((log) => log.error({ err: failure.message }, 'batch failed'))).not.toContain('4111');
  const plain = logged((log) => log.warn({ err: new Error('redis went away'), note: 'params: kept' }, 'x'));
  expect(JSON.parse(plain)).toMatchObject({ err: { message: 'redis went away', type: 'Error' }, note: 'params: kept' });
});
