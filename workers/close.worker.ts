import type { Job } from 'bullmq';
import { and, asc, desc, eq } from 'drizzle-orm';
import { contacts, events, knowledge, messages, sessions } from '../src/db/schema/index.ts';
import type { ChannelKind } from '../src/domain/model/enums.ts';
import { writeHistory } from '../src/domain/sessions/message-writer.ts';
import { computeInsights } from '../src/domain/handling/insights.ts';
import { requestCsat } from '../src/domain/csat/csat-request.ts';
import { enqueueCommitted } from '../src/domain/relays/outbox.ts';
import type { JobData } from '../src/queue/names.ts';
import type { WorkerDeps } from './worker-deps.ts';

// Close: the inactivity timer (an AI-handled session quiet since the AI's reply closes as assumed resolved),
// and the summary and insights of every closed session. Both steps can run again harmlessly.

export async function processClose(job: Job<JobData['close'], unknown, ChannelKind>, deps: WorkerDeps) {
  const { sessionId, reason, afterMessageId } = job.data;
  if (reason === 'inactivity' && !(await closeIfInactive(deps, sessionId, afterMessageId))) return 'still active';
  return summarize(deps, sessionId);
}

async function closeIfInactive(deps: WorkerDeps, sessionId: string, afterMessageId: string | undefined): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const [s] = await tx.select().from(sessions).where(eq(sessions.id, sessionId)).for('update');
    if (!s || s.status !== 'open' || s.handledBy !== 'ai') return false;
    const [last] = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.sessionId, sessionId), eq(messages.eventType, 'message'), eq(messages.private, false)))
      .orderBy(desc(messages.seq))
      .limit(1);
    if (last?.id !== afterMessageId) return false;
    const now = new Date();
    await tx.update(sessions).set({ status: 'closed_resolved', aiClosureType: 'assumed_resolved', closedAt: now, updatedAt: now }).where(eq(sessions.id, sessionId));
    await writeHistory(tx, s, {
      eventType: 'status_changed', sender: 'system', text: 'Closed after inactivity (assumed resolved)', context: { from: 'open', to: 'closed_resolved' },
    });
    const data = { session_id: sessionId, closed_by: 'ai', ai_resolution_status: 'assumed_resolved' };
    await tx.insert(events).values({ orgId: s.orgId, sessionId, type: 'conversation.closed', data });
    return true;
  });
}

async function summarize(deps: WorkerDeps, sessionId: string) {
  const [row] = await deps.db
    .select({ session: sessions, contactName: contacts.name })
    .from(sessions)
    .innerJoin(contacts, eq(contacts.id, sessions.contactId))
    .where(eq(sessions.id, sessionId));
  if (!row || row.session.status === 'open') return 'not closed';
  const s = row.session;
  const chat = await deps.db
    .select({ sender: messages.sender, text: messages.text, at: messages.createdAt })
    .from(messages)
    .where(and(eq(messages.sessionId, sessionId), eq(messages.eventType, 'message'), eq(messages.private, false)))
    .orderBy(asc(messages.seq));
  const history = chat.map((m) => ({ sender: m.sender, text: m.text ?? '', at: m.at }));
  const { responder, timeoutMs, alwaysSummarize } = await deps.responderFor(s.orgId);
  if (s.summarizeOnClose === false && !alwaysSummarize) {
    // Closed with Open's generate_summary_and_sentiment_on_resolve: false — the insights, not the summary (unless
    // the organization keeps summaries on every close: AI settings always_summarize).
    const insights = computeInsights(history, s, []);
    await deps.db.update(sessions).set({ insights, updatedAt: new Date() }).where(eq(sessions.id, sessionId));
    await askForRating(deps, sessionId);
    return 'insights only';
  }
  const session = { id: s.id, customData: s.customData, priority: s.priority, language: s.language, contactName: row.contactName };
  // The org's articles weight the topics (what is distinctive in this conversation, against the knowledge base).
  const articles = await deps.db
    .select({ id: knowledge.id, title: knowledge.title, body: knowledge.body, tags: knowledge.tags })
    .from(knowledge)
    .where(eq(knowledge.orgId, s.orgId));
  const summary = await responder.summarize({ orgId: s.orgId, session, history, knowledge: articles }, AbortSignal.timeout(timeoutMs + 1000));
  const insights = computeInsights(history, s, summary.topics);
  await deps.db
    .update(sessions)
    .set({ summary: summary.summary, sentiment: summary.sentiment, insights, updatedAt: new Date() })
    .where(eq(sessions.id, sessionId));
  await askForRating(deps, sessionId);
  return 'summarized';
}

/** A resolved session's CSAT survey (src/domain/csat/csat-request.ts decides whether), after the summary. */
async function askForRating(deps: WorkerDeps, sessionId: string) {
  const capabilities = (kind: ChannelKind, provider: string) => deps.channels.adapterFor(kind, provider)?.capabilities;
  const job = await requestCsat(deps.db, sessionId, { capabilities, linkBase: `${deps.config.publicUrl}/csat` });
  if (job) await enqueueCommitted(deps, [job]);
}
