import { z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { recordScore, surveyByToken } from '../../domain/csat/csat-answer.ts';
import { sessionScore } from '../../domain/csat/csat-queries.ts';
import { CHANNEL_KINDS } from '../../domain/model/enums.ts';
import { ValidationError } from '../../errors.ts';
import { bearerRoutes, jsonResponse } from '../openapi-route.ts';
import { newRouter } from '../router.ts';
import { SessionParams } from '../schemas/sessions.ts';
import { surveyPage } from './csat-page.ts';

// CSAT: Open's GET /csat/scores/session/{session_id}, and the page an email's rating link opens (/csat/{token}).
// The link only opens the page with that score chosen; the customer's submit records it — mail scanners that fetch
// every link in a message would otherwise rate on the customer's behalf.

const CsatScoreDto = z
  .object({
    session_id: z.uuid(),
    score: z.int().min(1).max(5).nullable().openapi({ description: 'Null: asked, not answered (yet).' }),
    comment: z.string().nullable(),
    channel_type: z.enum(CHANNEL_KINDS),
    requested_at: z.string(),
    submitted_at: z.string().nullable(),
  })
  .openapi('CsatScore');

const score = bearerRoutes(['CSAT'])({
  method: 'get',
  path: '/csat/scores/session/{session_id}',
  operationId: 'getCsatScoreBySession',
  summary: 'Get the CSAT score of a session',
  description: 'Asked once when a session is resolved, on channels with `csat_enabled`; 404 when none was asked.',
  request: { params: SessionParams },
  responses: { 200: jsonResponse(CsatScoreDto, 'The survey and its answer') },
});

const Answer = z.object({
  score: z.coerce.number().int().min(1).max(5),
  comment: z.string().trim().max(2000).optional(),
});

export function csatRoutes(deps: Deps) {
  const app = newRouter();
  app.openapi(score, async (c) => c.json(await sessionScore(deps.db, c.get('auth').orgId, c.req.valid('param').session_id), 200));

  app.get('/csat/:token', async (c) => {
    const survey = await surveyByToken(deps.db, c.req.param('token'));
    if (!survey) return c.html(surveyPage({ kind: 'unknown' }), 404);
    const chosen = Answer.shape.score.safeParse(c.req.query('score'));
    return c.html(surveyPage({ kind: 'form', score: chosen.success ? chosen.data : survey.score, comment: survey.comment }));
  });

  app.post('/csat/:token', async (c) => {
    const survey = await surveyByToken(deps.db, c.req.param('token'));
    if (!survey) return c.html(surveyPage({ kind: 'unknown' }), 404);
    const parsed = Answer.safeParse(Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)])));
    if (!parsed.success) return c.html(surveyPage({ kind: 'form', score: null, comment: null, error: 'Choose a rating from 1 to 5.' }), 400);
    const answer = { score: parsed.data.score, comment: parsed.data.comment || null };
    try {
      await deps.db.transaction((tx) => recordScore(tx, survey, answer, 'link'));
    } catch (err) {
      // The one refusal recordScore makes for a known survey: its window has closed.
      if (err instanceof ValidationError) return c.html(surveyPage({ kind: 'closed' }), 400);
      throw err;
    }
    return c.html(surveyPage({ kind: 'thanks', score: answer.score }));
  });
  return app;
}
