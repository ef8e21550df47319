import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/**
 * A timestamp as keyset-cursor text: microseconds kept (a JS Date has only milliseconds) and independent of
 * the server's DateStyle and TimeZone, so a cursor compares back exactly with `::timestamptz`.
 */
export function utcSortKey(column: PgColumn | SQL): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
