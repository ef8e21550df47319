import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { csatSurveys, knowledge } from '../../../src/db/schema/index.ts';
import { startWorkers, type RunningWorkers } from '../../../workers/main.ts';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import { listen, type ListeningApp } from '../../helpers/server.ts';
import { type Frame, openWidgetSocket, type WidgetSocket } from '../../helpers/widget-client.ts';

// CSAT in the web chat (capabilities.csat 'rating-row'), on a real server, Redis, database and workers: once the
// session is resolved the visitor gets a message with `rating: true`; a `rate` frame answers it (`rated`), a second
// one replaces the score; a visitor cannot rate another visitor's session.

let t: TestApp;
let server: ListeningApp;
let workers: RunningWorkers;
let pid: string;
const SITE = 'https://shop.example.com';

beforeAll(async () => {
  t = await createTestApp({ TURN_BURST_MS: '50' });
  workers = startWorkers(t.deps, { sweepIntervalMs: 200 });
  server = await listen(t);
  const res = await t.json('POST', '/channels', { type: 'web', name: 'Shop', config: { allowed_origins: [SITE] } });
  pid = res.body.public_id;
  expect((await t.json('PATCH', `/channels/${res.body.id}`, { csat_enabled: true })).body.csat).toBe('rating-row');
  await t.database.db.insert(knowledge).values({ orgId: t.orgId, title: 'Shipping times', body: 'Standard shipping takes 3 to 5 business days.' });
});
afterAll(async () => {
  await server.close();
  await workers.close();
  await t.close();
});

async function visitorSocket(): Promise<WidgetSocket> {
  const res = await fetch(`${server.url}/widget/${pid}/visitors`, { method: 'POST', headers: { origin: SITE }, body: '{}' });
  const { token } = (await res.json()) as { token: string };
  const s = await openWidgetSocket(server.wsUrl, pid, SITE);
  s.send({ type: 'hello', token });
  await s.waitFor((f) => f.type === 'ready');
  return s;
}

async function resolvedConversation(s: WidgetSocket): Promise<string> {
  const client_msg_id = randomUUID();
  s.send({ type: 'send', client_msg_id, text: 'How long does shipping take?' });
  const ack: Frame = await s.waitFor((f) => f.type === 'ack' && f.client_msg_id === client_msg_id);
  await s.waitFor((f) => f.type === 'message' && f.message.sender.type === 'ai', 10_000);
  expect((await t.json('PATCH', `/chat/sessions/${ack.session_id}`, { status: 'closed_resolved' })).status).toBe(200);
  return ack.session_id;
}

it('shows the rating row once resolved, and takes the visitor’s rating (a second one replaces it)', async () => {
  const s = await visitorSocket();
  const sessionId = await resolvedConversation(s);
  const question = await s.waitFor((f) => f.type === 'message' && f.message.rating === true, 10_000);
  expect(question.message).toMatchObject({ session_id: sessionId, sender: { type: 'system' }, text: 'How would you rate the help you got?' });

  s.send({ type: 'rate', session_id: sessionId, score: 3 });
  await s.waitFor((f) => f.type === 'rated' && f.score === 3);
  s.send({ type: 'rate', session_id: sessionId, score: 5, comment: 'Fast!' });
  await s.waitFor((f) => f.type === 'rated' && f.score === 5);
  const [survey] = await t.database.db.select().from(csatSurveys).where(eq(csatSurveys.sessionId, sessionId));
  expect([survey!.score, survey!.comment, survey!.style]).toEqual([5, 'Fast!', 'rating-row']);
  expect((await t.json('GET', `/chat/sessions/${sessionId}`)).body.status).toBe('closed_resolved');
  s.ws.close();
});

it('refuses a rating of another visitor’s session, or of a session never asked', async () => {
  const owner = await visitorSocket();
  const sessionId = await resolvedConversation(owner);
  await owner.waitFor((f) => f.type === 'message' && f.message.rating === true, 10_000);
  const stranger = await visitorSocket();
  stranger.send({ type: 'rate', session_id: sessionId, score: 1 });
  expect(await stranger.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'invalid' });
  stranger.send({ type: 'rate', session_id: randomUUID(), score: 1 });
  expect((await stranger.waitFor((f) => f.type === 'error' && stranger.frames.filter((x) => x.type === 'error').length === 2)).code).toBe('invalid');
  const [survey] = await t.database.db.select().from(csatSurveys).where(eq(csatSurveys.sessionId, sessionId));
  expect(survey!.score).toBeNull();
  owner.ws.close();
  stranger.ws.close();
});
