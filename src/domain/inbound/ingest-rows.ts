import type { messages } from '../../db/schema/index.ts';
import type { MessageJobRef } from '../../queue/enqueue.ts';
import type { IngestInput, IngestResult } from './ingest.ts';

// What a message row looks like and which job it needs: shared by the single and the batched ingest paths.

export const needsTurn = (input: IngestInput) => input.sender === 'contact' && !input.noTurn;
/** Replies (agents, the AI, system notices such as "you are in the queue") go out; internal notes never do. */
export const isReply = (input: IngestInput) => input.sender !== 'contact' && !input.private;
export const needsDispatch = (input: IngestInput) => isReply(input) && !input.delivered;

export function messageRow(
  input: IngestInput,
  at: { sessionId: string; channelId: string; id?: string },
): typeof messages.$inferInsert {
  const inbound = input.sender === 'contact';
  return {
    ...(at.id ? { id: at.id } : {}),
    orgId: input.orgId,
    sessionId: at.sessionId,
    channelId: at.channelId,
    direction: inbound ? 'in' : 'out',
    sender: input.sender,
    agentId: input.agentId ?? null,
    senderName: input.senderName ?? null,
    eventType: input.private ? 'human_agent_comment' : 'message',
    type: input.attachments?.length && !input.text ? 'file' : 'text',
    text: input.text,
    html: input.html ?? null,
    private: input.private ?? false,
    externalId: input.externalId ?? null,
    deliveryStatus: needsDispatch(input) ? 'queued' : isReply(input) ? 'delivered' : null,
    raw: input.raw ?? null,
    context: input.context ?? null,
    turnState: needsTurn(input) ? 'pending' : 'none',
    createdAt: input.sentAt ?? new Date(),
  };
}

const EVENT_BY_SENDER = {
  contact: 'conversation.contact_response',
  ai: 'conversation.ai_response',
  agent: 'conversation.agent_response',
  system: 'conversation.system_message',
} as const;

export function eventNameFor(input: IngestInput): string {
  return input.private ? 'conversation.agent_note' : EVENT_BY_SENDER[input.sender];
}

/** The job a committed message needs, if any. */
export function jobFor(input: IngestInput, r: IngestResult): MessageJobRef | undefined {
  const queue = needsTurn(input) ? 'turn' : needsDispatch(input) ? 'dispatch' : undefined;
  if (!queue) return undefined;
  return { queue, orgId: input.orgId, sessionId: r.sessionId, messageId: r.messageId, channel: r.channel.type };
}
