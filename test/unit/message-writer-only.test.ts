import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// One writer of message rows: src/domain/sessions/message-writer.ts decides, for every row inserted into
// `messages`, the session's counters and last_message_at, the event and the job. Any other insert would bypass
// that; this keeps the source tree to the rule.

const root = resolve(import.meta.dirname, '../..');
const WRITER = 'src/domain/sessions/message-writer.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|tsx|js|mjs)$/.test(e.name) ? [path] : [];
  });
}

/** Does this source insert into `messages`: drizzle's insert(messages) (or an alias of it), or raw SQL? */
function insertsMessages(source: string): boolean {
  const names = ['messages', ...[...source.matchAll(/\bmessages\s+as\s+(\w+)/g)].map((m) => m[1]!)];
  const drizzle = names.some((name) => new RegExp(`\\binsert\\(\\s*(?:\\w+\\.)?${name}\\s*\\)`).test(source));
  const raw = /insert\s+into\s+(?:\$\{\s*(?:\w+\.)?messages\s*\}|"?messages"?(?=[\s(]))/i.test(source);
  return drizzle || raw;
}

describe('the message writer', () => {
  it('recognises the ways a row can be inserted', () => {
    expect(insertsMessages('await tx\n  .insert(messages)\n  .values(row)')).toBe(true);
    expect(insertsMessages('db.insert( schema.messages ).values(row)')).toBe(true);
    expect(insertsMessages("import { messages as m } from './schema';\ntx.insert(m).values(row)")).toBe(true);
    expect(insertsMessages('sql`insert into ${messages} (id) values (1)`')).toBe(true);
    expect(insertsMessages('INSERT INTO messages (id) VALUES (1)')).toBe(true);
    expect(insertsMessages('tx.insert(events).values(row); tx.update(messages).set(x)')).toBe(false);
    expect(insertsMessages('insert into message_drafts (id) values (1)')).toBe(false);
  });

  it('is the only file of src/, workers/ and channels/ that inserts into messages', () => {
    const files = ['src', 'workers', 'channels'].flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    const writers = files.filter((f) => insertsMessages(readFileSync(join(root, f), 'utf8')));
    expect(writers).toEqual([WRITER]);
  });
});
