import { DelayedError, type Job } from 'bullmq';
import { detectLanguage } from '../src/ai/language.ts';
import type { Responder, ResponderOutput } from '../src/ai/responder.ts';
import type { ChannelKind } from '../src/domain/model/enums.ts';
import { enqueueCommitted } from '../src/domain/relays/outbox.ts';
import { showTyping } from '../src/domain/sessions/typing.ts';
import { type TagRule, tagsFromRules } from '../src/domain/sessions/session-tags.ts';
import { completeTurn, type TurnOutcome } from '../src/domain/handling/turn-complete.ts';
import { loadPending, loadTurnContext, type TurnContext } from '../src/domain/handling/turn-context.ts';
import type { TurnOutcomeLabel } from '../src/metrics/metrics.ts';
import type { JobData } from '../src/queue/names.ts';
import { tryLockSession } from '../src/queue/session-lock.ts';
import type { WorkerDeps } from './worker-deps.ts';

// Turn: answer a customer's pending messages. One turn per session at a time (Redis lock, across processes);
// a burst is answered once, after it settles; a human-owned session gets no AI answer.

const RETRY_LOCKED_MS = 150;

export async function processTurn(job: Job<JobData['turn'], unknown, ChannelKind>, token: string | undefined, deps: WorkerDeps) {
  const { sessionId } = job.data;
  const lock = await tryLockSession(deps.locks, deps.config.queuePrefix, 'turn', sessionId, deps.config.workers.lockMs);
  if (!lock) return defer(job, token, RETRY_LOCKED_MS);
  let waitMs = 0;
  try {
    const pending = await loadPending(deps.db, sessionId);
    if (pending.length === 0) return 'nothing pending';
    // Wait until the burst settles: the newest message must be burstMs old (clamped against clock skew).
    const { burstMs } = deps.config.workers;
    waitMs = Math.min(burstMs, pending.at(-1)!.at.getTime() + burstMs - Date.now());
    if (waitMs <= 0) return await answer(job, deps, pending.map((p) => p.id));
  } finally {
    await lock.release();
  }
  return defer(job, token, waitMs);
}

async function answer(job: Job<JobData['turn'], unknown, ChannelKind>, deps: WorkerDeps, pendingIds: string[]) {
  const ctx = await loadTurnContext(deps.db, job.data.sessionId, pendingIds);
  if (!ctx) return 'session gone';
  const humanOwns = ctx.session.handedOff || ctx.session.handledBy === 'human' || ctx.session.status !== 'open';
  // The customer sees "typing…" while the AI thinks (web chat today); not awaited: it must not delay the answer.
  if (!humanOwns) void showTyping(deps, ctx.session, { type: 'ai', name: null });
  const asked = humanOwns ? undefined : await ask(deps, ctx);
  const outcome: TurnOutcome = asked?.output ?? { type: 'human_owns' };
  // Open's session `language`, from the customer's own words while it is unknown (authenticate-user may set it first).
  const language = ctx.session.language ? null : detectLanguage(ctx.pending.map((p) => p.text).join('\n'));
  const tags = asked ? tagsFromRules(asked.tagRules, ctx.session.customData) : [];
  const effects = await completeTurn(deps.db, ctx.session, job.name, pendingIds, outcome, { language, tags });
  if (!effects) return 'already answered';
  countTurn(deps, asked?.failed ? 'failed' : LABELS[outcome.type], ctx.pending[0]?.at);
  await enqueueCommitted(deps, effects.dispatch);
  const ids = { orgId: ctx.session.orgId, sessionId: ctx.session.id };
  if (effects.route) await deps.queues.route.add(job.name, ids, { jobId: `route-${ids.sessionId}`, removeOnComplete: true });
  if (effects.closed) await deps.queues.close.add(job.name, { ...ids, reason: 'closed' });
  if (effects.replyId && !effects.closed) {
    // The inactivity timer: if nothing follows this reply, the session closes as assumed resolved.
    const data = { ...ids, reason: 'inactivity' as const, afterMessageId: effects.replyId };
    await deps.queues.close.add(job.name, data, { jobId: `inactive-${effects.replyId}`, delay: deps.config.workers.inactivityMs });
  }
  return outcome.type;
}

const LABELS: Record<TurnOutcome['type'], TurnOutcomeLabel> = {
  reply: 'answered',
  resolved: 'resolved',
  handoff: 'handed_off',
  human_owns: 'human_owns',
};

/** A committed turn, counted by outcome and timed from its oldest customer message's acceptance. */
function countTurn(deps: WorkerDeps, outcome: TurnOutcomeLabel, acceptedAt: Date | undefined) {
  deps.metrics.turns.inc({ outcome });
  if (acceptedAt) deps.metrics.turnLatency.observe({ outcome }, Math.max(0, Date.now() - acceptedAt.getTime()) / 1000);
}

/** Ask the organization's responder; any failure hands off (`failed`) rather than leaving the customer in silence. */
async function ask(deps: WorkerDeps, ctx: TurnContext): Promise<{ output: ResponderOutput; tagRules: TagRule[]; failed?: true }> {
  let responder: Responder;
  let timeoutMs: number;
  let tagRules: TagRule[] = [];
  try {
    ({ responder, timeoutMs, tagRules } = await deps.responderFor(ctx.session.orgId, ctx.settingsVersion));
    const s = ctx.session;
    const output = await responder.respond(
      {
        orgId: s.orgId,
        session: { id: s.id, customData: s.customData, priority: s.priority, language: s.language, contactName: ctx.contactName },
        history: ctx.history,
        pending: ctx.pending.map((p) => ({ sender: 'contact', text: p.text, at: p.at })),
        knowledge: ctx.knowledge,
        failedAttempts: ctx.failedAttempts,
        // The turn's pending messages stay pending until it commits: the first one names it across retries.
        turnKey: ctx.pending[0]?.id,
      },
      AbortSignal.timeout(timeoutMs + 1000),
    );
    return { output, tagRules };
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message, sessionId: ctx.session.id }, 'responder failed; handing off');
    const why = `The AI could not answer (${(err as Error).message})`;
    const output = { type: 'handoff', reason: 'ai_decided_to_handoff_the_conversation', why, summary: why, sentiment: null } as const;
    return { output, tagRules, failed: true };
  }
}

async function defer(job: Job, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + Math.max(ms, 1), token);
  throw new DelayedError();
}
