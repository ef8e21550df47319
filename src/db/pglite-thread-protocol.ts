// The messages between the server's thread and the database thread (pglite-thread.ts ↔ pglite-thread-main.ts).
// Plain data only: they cross a worker_threads port by structured clone.

export type ThreadRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[]; rowMode: 'array' | 'object'; rawTypes: number[]; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'call'; module: string; fn: string; args: unknown[]; urgent: boolean }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'migrate'; folder: string }
  | { id: number; op: 'dump' }
  | { id: number; op: 'close' };

/** A database error's fields that callers read (`code` for unique violations, src/http/db-errors.ts). */
export interface ThreadError {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

export type ThreadReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: ThreadError };

export interface ThreadInit {
  dir: string;
  load?: ArrayBuffer | undefined;
  sharedBuffers?: string | undefined;
}

/** PostgreSQL's error fields (PGlite's DatabaseError carries them as properties, like pg's). */
export const ERROR_FIELDS = [
  'code', 'severity', 'detail', 'hint', 'position', 'schema', 'table', 'column', 'dataType', 'constraint', 'where',
  'routine', 'file', 'line', 'query', 'params',
] as const;
