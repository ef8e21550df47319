import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { agents, sessions } from '../../db/schema/index.ts';
import { NotFoundError } from '../../errors.ts';
import type { ContactDetails } from '../contacts/contacts.ts';
import type { CustomData } from '../contacts/custom-data.ts';
import type { BlobStore } from '../../blob/blob-store.ts';
import type { AddressPolicy } from '../../net/address-policy.ts';
import { assertOutboundUrl } from '../../net/url-check.ts';
import { storeInlineAttachments } from '../files/attachments.ts';
import { type IngestDeps, ingest } from '../inbound/ingest.ts';
import type { AttachmentRef } from '../model/messages.ts';
import { writeHistory } from './message-writer.ts';
import { type Actor, lockSession, logEvent, uniqueToConflict } from './session-commands.ts';
import { resolveAgent, type SendingAgent } from './session-agent.ts';

// POST /chat/sessions/{id}/send: the session is checked to be the caller's organization's, its inline files
// stored, the session taken over when that applies, then the message goes through ingest (the one sink), which
// reopens a closed session for its contact and queues the job.

export interface SendInput {
  sender: 'contact' | 'agent';
  text: string;
  attachments: AttachmentRef[];
  contact?: ContactDetails | undefined;
  customData?: CustomData | undefined;
  /** For sender agent: who, by uuid or by Open's numeric id; an agent key always sends as its own agent. */
  agent?: SendingAgent | undefined;
  takeOver: boolean;
  private: boolean;
}

/** Returns the stored message's id. A closed session is reopened by its contact (in ingest), never by an agent's reply. */
export async function sendMessage(
  deps: IngestDeps & { blobs: BlobStore; outbound: { policy: AddressPolicy } },
  orgId: string,
  sessionId: string,
  input: SendInput,
  actor: Actor,
): Promise<string> {
  // A link at a refused IP literal is a 400 now; a name is checked when a channel fetches it (attachment-loader.ts).
  input.attachments.forEach((a, i) => {
    if (a.url) assertOutboundUrl(deps.outbound.policy, a.url, `message.attachments.${i}.url`);
  });
  // The caller's own session, or a 404 before any of its files is stored.
  await mustBeOrgSession(deps.db, orgId, sessionId);
  const agent = input.sender === 'agent' ? await resolveAgent(deps.db, orgId, actor, input.agent) : null;
  const agentName = input.agent?.name ?? agent?.name;
  // Bytes next, outside any transaction: a refused file (400, 413) stops the message before anything changes.
  const attachments = await storeInlineAttachments(deps.blobs, input.attachments);
  if (input.sender === 'agent' && input.takeOver) {
    await takeOver(deps.db, orgId, sessionId, agent?.id ?? null, agentName);
  }

  // ingest checks the session belongs to the organization, and reopens it when its contact writes.
  const result = await ingest(deps, {
    kind: 'into-session',
    orgId,
    sessionId,
    sender: input.sender,
    agentId: agent?.id,
    senderName: input.sender === 'agent' ? agentName : undefined,
    contact: input.contact,
    sessionCustomData: input.customData,
    text: input.text,
    attachments,
    private: input.private,
  }).catch(uniqueToConflict);
  return result.messageId;
}

async function mustBeOrgSession(db: Db, orgId: string, sessionId: string): Promise<void> {
  const [s] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.orgId, orgId), eq(sessions.id, sessionId)))
    .limit(1);
  if (!s) throw new NotFoundError('Chat session');
}

/** The session handed to a human: handled_by human, handed_off, assigned to the agent when known. */
async function takeOver(db: Db, orgId: string, sessionId: string, agentId: string | null, name: string | undefined) {
  await db.transaction(async (tx) => {
    const s = await lockSession(tx, orgId, sessionId);
    if (s.handledBy === 'human' && s.handedOff && (agentId === null || s.assigneeId === agentId)) return;
    const assigneeId = agentId ?? s.assigneeId;
    await tx
      .update(sessions)
      .set({ handledBy: 'human', handedOff: true, assigneeId, updatedAt: new Date() })
      .where(eq(sessions.id, sessionId));
    const text = `${name ?? 'A human agent'} took over the conversation`;
    await writeHistory(tx, s, { eventType: 'human_agent_takeover', sender: 'agent', text, agentId, senderName: name });
    const reason = 'human_agent_decided_to_take_over';
    await logEvent(tx, s, 'conversation.handoff_to_human', { reason, assignee_id: assigneeId });
  });
}
