import type { Job } from 'bullmq';
import { and, eq } from 'drizzle-orm';
import { agents, events, sessions } from '../src/db/schema/index.ts';
import { loadAiSettings } from '../src/domain/organization/ai-settings.ts';
import type { ChannelKind } from '../src/domain/model/enums.ts';
import { writeHistory, writeNotice } from '../src/domain/sessions/message-writer.ts';
import { enqueueCommitted } from '../src/domain/relays/outbox.ts';
import { pickAgent } from '../src/domain/handling/routing.ts';
import type { JobData } from '../src/queue/names.ts';
import type { WorkerDeps } from './worker-deps.ts';

// Route: a handed-off session gets an agent of its team (availability, capacity, strategy, business hours).
// With no agent free it waits in the team queue, and the customer is told so once; the sweeper routes it again
// until someone frees up.

export async function processRoute(job: Job<JobData['route'], unknown, ChannelKind>, deps: WorkerDeps) {
  const { orgId, sessionId } = job.data;
  const settings = await loadAiSettings(deps, orgId);
  const result = await deps.db.transaction(async (tx) => {
    const [s] = await tx.select().from(sessions).where(and(eq(sessions.orgId, orgId), eq(sessions.id, sessionId))).for('update');
    if (!s || s.status !== 'open' || !s.handedOff || s.assigneeId) return { outcome: 'nothing to route' } as const;
    const pick = await pickAgent(tx, orgId, s.teamId, new Date());
    if (pick) {
      await tx.update(sessions).set({ assigneeId: pick.agentId, updatedAt: new Date() }).where(eq(sessions.id, s.id));
      const [agent] = await tx.select({ name: agents.name }).from(agents).where(eq(agents.id, pick.agentId));
      await writeHistory(tx, s, {
        eventType: 'human_agent_joined', sender: 'system', agentId: pick.agentId, senderName: agent?.name ?? null,
        text: `${agent?.name ?? 'An agent'} joined the conversation`,
      });
      await tx.insert(events).values({ orgId, sessionId, type: 'conversation.assigned', data: { session_id: sessionId, assignee_id: pick.agentId, team_id: s.teamId } });
      return { outcome: 'assigned' } as const;
    }
    const [told] = await tx.select({ id: events.id }).from(events).where(and(eq(events.sessionId, sessionId), eq(events.type, 'conversation.queued'))).limit(1);
    if (told) return { outcome: 'waiting' } as const;
    const line = { orgId, sessionId, channel: { id: s.channelId, type: job.name }, sender: 'system' as const, text: settings.queue_message };
    const notice = await writeNotice(tx, line, { type: 'conversation.queued', data: { team_id: s.teamId } });
    return { outcome: 'waiting', notice } as const;
  });
  if ('notice' in result && result.notice?.job) await enqueueCommitted(deps, [result.notice.job]);
  return result.outcome;
}
