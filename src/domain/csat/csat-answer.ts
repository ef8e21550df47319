import { and, desc, eq, gte, isNotNull } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { csatSurveys, events } from '../../db/schema/index.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';

// An answer to a survey (csat-request.ts): one per session, a later one replacing it while the window is open
// (the customer changed their mind, or added a comment), none after it. Each accepted answer is one
// `csat.score_submitted` event.

/** How long after asking an answer is taken. */
export const CSAT_WINDOW_MS = 7 * 24 * 3600_000;

export type CsatSurvey = typeof csatSurveys.$inferSelect;
export type AnsweredVia = 'reply' | 'link' | 'widget' | 'button';

/**
 * A reply that is a rating: "4", "5!", "3 - slow but fine", "2: it took a week". Anything else is a message (the
 * customer writing again), so a reply like "4 more questions" is not taken as a score: after the digit only a
 * separator may start the comment.
 */
export function scoreFromReply(text: string): { score: number; comment: string | null } | null {
  const m = /^\s*([1-5])\s*(?:\/\s*5)?\s*(?:[!.]+|[-–—:,.]\s*(.+))?\s*$/su.exec(text);
  if (!m) return null;
  const comment = m[2]?.trim();
  return { score: Number(m[1]), comment: comment ? comment.slice(0, 2000) : null };
}

const open = (s: CsatSurvey, now: Date) => now.getTime() - s.requestedAt.getTime() <= CSAT_WINDOW_MS;

/** The session's survey still taking answers, if any. */
export async function openSurvey(tx: Tx | Db, sessionId: string, now = new Date()): Promise<CsatSurvey | undefined> {
  const [s] = await tx
    .select()
    .from(csatSurveys)
    .where(and(eq(csatSurveys.sessionId, sessionId), gte(csatSurveys.requestedAt, new Date(now.getTime() - CSAT_WINDOW_MS))));
  return s;
}

/** Records the answer (replacing an earlier one) and its event; a closed window is a 400, an unknown survey a 404. */
export async function recordScore(
  tx: Tx,
  survey: CsatSurvey | undefined,
  answer: { score: number; comment?: string | null | undefined },
  via: AnsweredVia,
  now = new Date(),
): Promise<CsatSurvey> {
  if (!survey) throw new NotFoundError('Survey');
  if (!open(survey, now)) throw new ValidationError('This survey is closed: answers are taken for 7 days', [{ path: 'score', message: 'Survey closed' }]);
  const comment = answer.comment === undefined ? survey.comment : answer.comment;
  const [updated] = await tx
    .update(csatSurveys)
    .set({ score: answer.score, comment, answeredAt: now, updatedAt: now })
    .where(eq(csatSurveys.id, survey.id))
    .returning();
  const data = { session_id: survey.sessionId, survey_id: survey.id, score: answer.score, comment, via, replaced: survey.score !== null };
  await tx.insert(events).values({ orgId: survey.orgId, sessionId: survey.sessionId, type: 'csat.score_submitted', data });
  return updated!;
}

/**
 * A button's answer as an adapter reported it (ParseOutcome `rating`): the survey must be this channel's and asked
 * with buttons. Returns why it was not recorded, if it was not; the provider is answered 200 either way.
 */
export async function rateByButton(db: Db, channelId: string, token: string, score: number): Promise<string | null> {
  return db.transaction(async (tx) => {
    const survey = await surveyByToken(tx, token);
    if (!survey || survey.channelId !== channelId || survey.style !== 'buttons') return 'no such survey on this channel';
    if (!open(survey, new Date())) return 'survey closed';
    await recordScore(tx, survey, { score }, 'button');
    return null;
  });
}

/** By the token the links and the rating row carry. */
export async function surveyByToken(tx: Tx | Db, token: string): Promise<CsatSurvey | undefined> {
  const [s] = await tx.select().from(csatSurveys).where(eq(csatSurveys.token, token));
  return s;
}

/** The organization's answered surveys, newest first (dashboard). */
export function answeredSince(db: Db, orgId: string, since: Date) {
  return db
    .select({ score: csatSurveys.score, answeredAt: csatSurveys.answeredAt })
    .from(csatSurveys)
    .where(and(eq(csatSurveys.orgId, orgId), isNotNull(csatSurveys.answeredAt), gte(csatSurveys.answeredAt, since)))
    .orderBy(desc(csatSurveys.answeredAt));
}
