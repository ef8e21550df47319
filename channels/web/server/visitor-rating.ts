import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../src/db/client.ts';
import { sessions } from '../../../src/db/schema/index.ts';
import { openSurvey, recordScore } from '../../../src/domain/csat/csat-answer.ts';
import { NotFoundError } from '../../../src/errors.ts';
import type { Visitor } from './visitors.ts';

// The web chat's rating row (capabilities.csat 'rating-row'): a `rate` frame answers the survey of one of the
// visitor's own sessions on this channel. The socket's visitor is the proof of who is answering; no token needed.

export async function rateFromWidget(
  db: Db,
  channelId: string,
  visitor: Visitor,
  answer: { session_id: string; score: number; comment?: string | undefined },
): Promise<void> {
  await db.transaction(async (tx) => {
    const [own] = await tx
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.id, answer.session_id), eq(sessions.orgId, visitor.orgId), eq(sessions.contactId, visitor.contactId), eq(sessions.channelId, channelId)));
    if (!own) throw new NotFoundError('Chat session');
    const survey = await openSurvey(tx, own.id);
    await recordScore(tx, survey?.style === 'rating-row' ? survey : undefined, { score: answer.score, comment: answer.comment }, 'widget');
  });
}
