import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, csatSurveys, events, messages } from '../../src/db/schema/index.ts';
import { type CsatAsk, requestCsat } from '../../src/domain/csat/csat-request.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenError } from '../helpers/contract.ts';

// CSAT over HTTP on the real app: a resolved email session asked with five links; the link's page records nothing
// until submitted (mail scanners fetch links); one answer per session, a later one replacing it, none after the
// window; Open's GET /csat/scores/session/{id}; who is never asked; other organizations never see a score.

let t: TestApp;
let emailChannelId: string;
const ask = (): CsatAsk => ({ capabilities: (kind, provider) => t.deps.channels.adapterFor(kind, provider)?.capabilities, linkBase: 'https://support.example.com/csat' });

beforeAll(async () => {
  t = await createTestApp();
  // An email channel's row as POST /channels would store it; no mail is sent in this file (nothing dispatches).
  const [row] = await t.deps.db.insert(channels).values({ orgId: t.orgId, type: 'email', provider: 'smtp', name: 'Support mail', publicId: 'csat-mail', csatEnabled: true }).returning();
  emailChannelId = row!.id;
});
afterAll(() => t.close());

/** A session on the email channel the customer wrote in, then resolved (or closed as `status`). */
async function resolvedSession(status = 'closed_resolved', customerWrites = true): Promise<string> {
  const { id } = (await t.json('POST', '/chat/sessions', { channel: { type: 'email' }, contact: { email: `c${Math.random()}@example.com` } })).body;
  if (customerWrites) expect((await t.json('POST', `/chat/sessions/${id}/send`, { sender: 'contact', message: { type: 'text', text: 'My parcel is late' } })).status).toBe(201);
  expect((await t.json('PATCH', `/chat/sessions/${id}`, { status })).status).toBe(200);
  return id;
}
const surveyOf = async (sessionId: string) => (await t.deps.db.select().from(csatSurveys).where(eq(csatSurveys.sessionId, sessionId)))[0];
const form = (body: Record<string, string>) => ({ 'content-type': 'application/x-www-form-urlencoded', body: new URLSearchParams(body).toString() });
const post = (token: string, body: Record<string, string>) =>
  t.app.request(`/csat/${token}`, { method: 'POST', headers: { 'content-type': form(body)['content-type'] }, body: form(body).body });

describe('CSAT by email link', () => {
  it('asks once with five links, records the submitted answer, and lets a later one replace it', async () => {
    const id = await resolvedSession();
    const job = await requestCsat(t.deps.db, id, ask());
    expect(job).not.toBeNull();
    expect(await requestCsat(t.deps.db, id, ask())).toBeNull(); // once per session
    const survey = (await surveyOf(id))!;
    const [prompt] = (await t.deps.db.select().from(messages).where(eq(messages.sessionId, id))).filter((m) => m.sender === 'system' && m.context && 'csat' in m.context);
    for (let n = 1; n <= 5; n++) expect(prompt!.text).toContain(`https://support.example.com/csat/${survey.token}?score=${n}`);

    // Opening a link only shows the page with that score chosen: nothing is recorded yet.
    const page = await t.app.request(`/csat/${survey.token}?score=4`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/value="4" checked/);
    expect((await t.json('GET', `/csat/scores/session/${id}`)).body).toMatchObject({ session_id: id, score: null, channel_type: 'email', submitted_at: null });

    const thanks = await post(survey.token, { score: '4', comment: 'Quick <b>and</b> kind' });
    expect(thanks.status).toBe(200);
    expect(await thanks.text()).toContain('You rated us 4 of 5');
    expect((await t.json('GET', `/csat/scores/session/${id}`)).body).toMatchObject({ score: 4, comment: 'Quick <b>and</b> kind' });
    expect(await (await t.app.request(`/csat/${survey.token}`)).text()).toContain('Quick &lt;b&gt;and&lt;/b&gt; kind');

    expect((await post(survey.token, { score: '2' })).status).toBe(200);
    expect((await t.json('GET', `/csat/scores/session/${id}`)).body).toMatchObject({ score: 2, comment: null });
    const evs = (await t.deps.db.select().from(events).where(eq(events.sessionId, id))).map((e) => [e.type, e.data.score ?? null, e.data.replaced ?? null]);
    expect(evs.filter(([type]) => String(type).startsWith('csat.'))).toEqual([['csat.requested', null, null], ['csat.score_submitted', 4, false], ['csat.score_submitted', 2, true]]);
  });

  it('refuses a bad score (400), an unknown link (404), and answers after the window (400)', async () => {
    const id = await resolvedSession();
    await requestCsat(t.deps.db, id, ask());
    const survey = (await surveyOf(id))!;
    expect((await post(survey.token, { score: '9' })).status).toBe(400);
    expect((await post('not-a-token', { score: '3' })).status).toBe(404);
    expect((await t.app.request('/csat/not-a-token')).status).toBe(404);
    await t.deps.db.update(csatSurveys).set({ requestedAt: new Date(Date.now() - 8 * 86_400_000) }).where(eq(csatSurveys.id, survey.id));
    const late = await post(survey.token, { score: '3' });
    expect([late.status, (await surveyOf(id))!.score]).toEqual([400, null]);
  });

  it('never asks a session that was not resolved, the customer never wrote in, or on a channel with CSAT off', async () => {
    const unresolved = await resolvedSession('closed_unresolved');
    const silent = await resolvedSession('closed_resolved', false);
    expect(await requestCsat(t.deps.db, unresolved, ask())).toBeNull();
    expect(await requestCsat(t.deps.db, silent, ask())).toBeNull();
    await t.json('PATCH', `/channels/${emailChannelId}`, { csat_enabled: false });
    const off = await resolvedSession();
    expect(await requestCsat(t.deps.db, off, ask())).toBeNull();
    await t.json('PATCH', `/channels/${emailChannelId}`, { csat_enabled: true });
    for (const id of [unresolved, silent, off]) expect(await surveyOf(id)).toBeUndefined();
    const none = await t.json('GET', `/csat/scores/session/${off}`);
    expect(none.status).toBe(404);
    expectOpenError(none.body, 404);
  });

  it('refuses CSAT on a channel that cannot ask, and hides scores from other organizations', async () => {
    const api = (await t.deps.db.select().from(channels).where(eq(channels.orgId, t.orgId))).find((c) => c.type === 'api')!;
    const refused = await t.json('PATCH', `/channels/${api.id}`, { csat_enabled: true });
    expect([refused.status, refused.body.details?.[0]?.path]).toEqual([400, 'csat_enabled']);
    const channel = (await t.json('GET', `/channels/${emailChannelId}`)).body;
    expect([channel.csat_enabled, channel.csat]).toEqual([true, 'links']);

    const id = await resolvedSession();
    await requestCsat(t.deps.db, id, ask());
    const other = await createOrganization(t.deps, 'Other org');
    expect((await t.json('GET', `/csat/scores/session/${id}`, undefined, { key: other.adminKey })).status).toBe(404);
  });
});
