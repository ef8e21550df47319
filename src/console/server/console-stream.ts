import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'node:net';
import { and, asc, eq, gt, lte, max, notInArray, type SQL } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Deps } from '../../deps.ts';
import { events } from '../../db/schema/index.ts';
import type { AppEnv } from '../../http/env.ts';
import { newRouter } from '../../http/router.ts';
import { EventCursor } from './event-cursor.ts';

// GET /console/api/stream: the org's event log as Server-Sent Events, so open consoles update live. Polling the
// table (not Redis pub/sub) means every event that committed is seen, by any gateway process, with no second
// source of truth; 500 ms per open console is one indexed query (events_org_seq_idx).

export interface StreamOptions {
  pollMs?: number;
  pingMs?: number;
  /** How far back each poll looks for events that committed late (see EventCursor). */
  lookbackMs?: number;
}

const BATCH = 200;

export function consoleStreamRoutes(deps: Deps, members: MiddlewareHandler<AppEnv>, opts: StreamOptions = {}) {
  const { pollMs = 500, pingMs = 15_000, lookbackMs = 5000 } = opts;
  const app = newRouter();

  app.get('/console/api/stream', members, async (c) => {
    const { orgId } = c.get('auth');
    const lastId = c.req.header('last-event-id');
    const start = lastId && /^\d{1,15}$/.test(lastId) ? Number(lastId) : await maxSeq(deps, orgId);
    const log = c.get('log');
    const stopping = serverStopping(c.env);

    return streamSSE(c, async (stream) => {
      const cursor = new EventCursor(start, lookbackMs);
      let wake: () => void = () => {};
      stream.onAbort(() => wake());
      // A reconnecting EventSource waits `retry` ms; the comment gets the headers and first bytes through proxies.
      await stream.write(`retry: 2000\n: connected\n\n`);
      let lastPing = Date.now();
      while (!stream.aborted && !stream.closed && !stopping()) {
        try {
          const fresh = await readEvents(deps, orgId, gt(events.seq, cursor.high));
          // Late commits: events in the look-back window that were not there when it was read.
          const late =
            cursor.floor < cursor.high
              ? await readEvents(deps, orgId, and(gt(events.seq, cursor.floor), lte(events.seq, cursor.high), notInArray(events.seq, cursor.sentSeqs())))
              : [];
          const rows = [...late, ...fresh];
          let id = cursor.high;
          for (const row of cursor.accept(rows)) {
            id = Math.max(id, row.seq);
            const payload = { seq: row.seq, type: row.type, session_id: row.sessionId, created_at: row.createdAt.toISOString(), data: row.data };
            await stream.writeSSE({ event: row.type, id: String(id), data: JSON.stringify(payload) });
          }
          if (fresh.length === BATCH) continue; // more waiting: read on without sleeping
        } catch (err) {
          // The browser reconnects by itself (with Last-Event-ID): end this stream rather than spin on a failure.
          log?.warn({ err }, 'console stream stopped');
          return;
        }
        if (Date.now() - lastPing >= pingMs) {
          await stream.write(': ping\n\n');
          lastPing = Date.now();
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    });
  });

  return app;
}

/**
 * Whether the node server this request came through has stopped listening (graceful shutdown): the stream then
 * ends, so `server.close()` is not held up by consoles that never hang up (they reconnect to another process).
 */
function serverStopping(env: unknown): () => boolean {
  const socket = (env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket as (Socket & { server?: Server }) | undefined;
  const server = socket?.server;
  return () => server !== undefined && !server.listening;
}

async function maxSeq(deps: Deps, orgId: string): Promise<number> {
  const [row] = await deps.db.select({ seq: max(events.seq) }).from(events).where(eq(events.orgId, orgId));
  return Number(row?.seq ?? 0);
}

function readEvents(deps: Deps, orgId: string, where: SQL | undefined) {
  return deps.db
    .select({ seq: events.seq, type: events.type, sessionId: events.sessionId, data: events.data, createdAt: events.createdAt })
    .from(events)
    .where(and(eq(events.orgId, orgId), where))
    .orderBy(asc(events.seq))
    .limit(BATCH);
}
