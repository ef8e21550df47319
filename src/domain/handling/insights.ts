import type { SessionInsights } from '../../db/schema/sessions.ts';

// Insights of a closed session, computed from its history: who handled it, how fast, how much was said.

export interface InsightMessage {
  sender: 'contact' | 'ai' | 'agent' | 'system';
  at: Date;
}

export function computeInsights(
  history: InsightMessage[],
  session: { createdAt: Date; closedAt: Date | null; status: string },
  topics: string[],
): SessionInsights {
  const bySender: Record<string, number> = {};
  for (const m of history) bySender[m.sender] = (bySender[m.sender] ?? 0) + 1;
  const firstAsk = history.find((m) => m.sender === 'contact');
  const firstAnswer = firstAsk && history.find((m) => (m.sender === 'ai' || m.sender === 'agent') && m.at >= firstAsk.at);
  const seconds = (a: Date, b: Date) => Math.max(0, Math.round((b.getTime() - a.getTime()) / 1000));
  const humans = (bySender.agent ?? 0) > 0;
  const resolution = humans ? 'human' : (bySender.ai ?? 0) > 0 && session.status === 'closed_resolved' ? 'ai' : 'abandoned';
  return {
    topics,
    resolution,
    first_response_seconds: firstAsk && firstAnswer ? seconds(firstAsk.at, firstAnswer.at) : null,
    resolution_seconds: session.closedAt ? seconds(session.createdAt, session.closedAt) : null,
    messages_by_sender: bySender,
  };
}
