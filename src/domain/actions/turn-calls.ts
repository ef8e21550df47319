import { isDeepStrictEqual } from 'node:util';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { messages } from '../../db/schema/index.ts';

// At most once per turn: a turn retried after a crash (the worker died after an action's request, before the
// turn's commit) asks the model again, which may well call the same action with the same parameters. The first
// run's history entries carry the turn's key (action-history.ts), so the retry finds them: a completed call gives
// its recorded outcome back to the model instead of a second request; a call with no recorded end (the crash came
// mid-request) may have happened, so it is not repeated either.

export type EarlierRun =
  | { kind: 'completed'; ok: boolean; status: number | null; result: unknown; error: string | null }
  | { kind: 'unknown' };

type Context = { turn_key?: string; call_id?: string; action?: { id?: string }; parameters?: unknown; ok?: boolean; status?: number | null; result?: unknown; error?: string | null };

export async function earlierRun(
  db: Db,
  orgId: string,
  sessionId: string,
  turnKey: string,
  actionId: string,
  parameters: unknown,
): Promise<EarlierRun | null> {
  const rows = await db
    .select({ eventType: messages.eventType, context: messages.context })
    .from(messages)
    .where(
      and(
        eq(messages.orgId, orgId),
        eq(messages.sessionId, sessionId),
        inArray(messages.eventType, ['action_called', 'action_completed']),
        sql`${messages.context}->>'turn_key' = ${turnKey}`,
      ),
    );
  const entries = rows.map((r) => ({ type: r.eventType, c: (r.context ?? {}) as Context }));
  const called = entries.find((e) => e.type === 'action_called' && e.c.action?.id === actionId && isDeepStrictEqual(e.c.parameters, parameters));
  if (!called) return null;
  const done = entries.find((e) => e.type === 'action_completed' && e.c.call_id === called.c.call_id);
  if (!done) return { kind: 'unknown' };
  return { kind: 'completed', ok: done.c.ok === true, status: done.c.status ?? null, result: done.c.result ?? null, error: done.c.error ?? null };
}
