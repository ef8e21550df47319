import { type SQL, asc, desc, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

// Keyset pagination, shared by every `{ items, next }` list: a page ends where the previous one's last row was,
// so rows inserted meanwhile never shift a page (the cursor itself is encoded by src/http/schemas/common.ts).

/**
 * A timestamp as keyset-cursor text: microseconds kept (a JS Date has only milliseconds) and independent of
 * the server's DateStyle and TimeZone, so a cursor compares back exactly with `::timestamptz`.
 */
export function utcSortKey(column: PgColumn | SQL): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** A position in a (timestamp, id) order: the last row's timestamp as utcSortKey text, and its id. */
export type TimeIdCursor = [sortKey: string, id: string];

/** The pieces of a (timestamp, id) keyset query, ties broken by id. */
export interface TimeIdKeyset {
  /** Select it (as `sortKey`) to build the next cursor from the last row. */
  sortKey: SQL<string>;
  /** The condition for the rows after `cursor`; undefined (no condition) on the first page. */
  after(cursor: TimeIdCursor | undefined): SQL | undefined;
  /** ORDER BY timestamp, id in the keyset's direction. */
  orderBy: [SQL, SQL];
}

/** Keyset on (`time`, `id`): `asc` is oldest first, `desc` newest first. */
export function timeIdKeyset(time: PgColumn | SQL, id: PgColumn, order: 'asc' | 'desc'): TimeIdKeyset {
  const direction = order === 'asc' ? asc : desc;
  const beyond = sql.raw(order === 'asc' ? '>' : '<');
  return {
    sortKey: utcSortKey(time),
    after: (cursor) => (cursor ? sql`(${time}, ${id}) ${beyond} (${cursor[0]}::timestamptz, ${cursor[1]}::uuid)` : undefined),
    orderBy: [direction(time), direction(id)],
  };
}

/**
 * One page from a query run with `.limit(limit + 1)`: its first `limit` rows, and the cursor of the last of them
 * when the extra row shows there is more (null on the last page).
 */
export function keysetPage<R, C>(rows: R[], limit: number, cursorOf: (last: R) => C): { rows: R[]; next: C | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
