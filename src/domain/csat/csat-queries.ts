import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { channels, csatSurveys, sessions } from '../../db/schema/index.ts';
import { NotFoundError } from '../../errors.ts';
import { answeredSince } from './csat-answer.ts';

// Reads of CSAT: one session's (Open's GET /csat/scores/session/{id}) and the organization's figures (dashboard).

export async function sessionScore(db: Db, orgId: string, sessionId: string) {
  const [row] = await db
    .select({ survey: csatSurveys, channelType: channels.type })
    .from(csatSurveys)
    .innerJoin(sessions, eq(sessions.id, csatSurveys.sessionId))
    .innerJoin(channels, eq(channels.id, csatSurveys.channelId))
    .where(and(eq(csatSurveys.orgId, orgId), eq(csatSurveys.sessionId, sessionId)));
  if (!row) throw new NotFoundError('CSAT score (none was asked for this session)');
  const s = row.survey;
  return {
    session_id: s.sessionId,
    score: s.score,
    comment: s.comment,
    channel_type: row.channelType,
    requested_at: s.requestedAt.toISOString(),
    submitted_at: s.answeredAt?.toISOString() ?? null,
  };
}

/** The average of the answers given since `since`, how many, and the average per day (UTC), oldest first. */
export async function csatFigures(db: Db, orgId: string, since: Date) {
  const rows = await answeredSince(db, orgId, since);
  const byDay = new Map<string, number[]>();
  for (const r of rows) {
    const day = r.answeredAt!.toISOString().slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), r.score!]);
  }
  const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;
  const trend = [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, scores]) => ({ day, average: mean(scores), count: scores.length }));
  return { average: rows.length ? mean(rows.map((r) => r.score!)) : null, count: rows.length, trend };
}
