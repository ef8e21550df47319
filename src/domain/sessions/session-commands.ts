import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { agents, channels, contacts, events, sessions, teams } from '../../db/schema/index.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { type ContactDetails, findOrCreateContact, updateContactDetails, withUnverifiedDetails } from '../contacts/contacts.ts';
import { type CustomData, mergeCustomData } from '../contacts/custom-data.ts';
import type { ChannelKind, Priority, SessionStatus } from '../model/enums.ts';
import { writeHistory } from './message-writer.ts';
import { openSession } from './session-store.ts';
import { writeTags } from './session-tags.ts';

// Writes of the chat-sessions API (sending is in session-send.ts). Every state change leaves a history row and
// an event in the same transaction.

/** Who is acting: for agent keys, the agent the key acts as. */
export interface Actor {
  agentId: string | null;
}

export type SessionRow = typeof sessions.$inferSelect;

export interface CreateSessionInput {
  contactId?: string | undefined;
  contact?: ContactDetails | undefined;
  channelType: ChannelKind;
  customData?: CustomData | undefined;
  verified?: boolean | undefined;
}

export async function createSession(db: Db, orgId: string, input: CreateSessionInput): Promise<string> {
  const created = db.transaction(async (tx) => {
    const [channel] = await tx
      .select({ id: channels.id })
      .from(channels)
      .where(
        and(
          eq(channels.orgId, orgId),
          eq(channels.type, input.channelType),
          eq(channels.enabled, true),
          isNull(channels.deletedAt),
        ),
      )
      .orderBy(asc(channels.createdAt))
      .limit(1);
    if (!channel) {
      const message = `This organization has no enabled ${input.channelType} channel`;
      throw new ValidationError(message, [{ path: 'channel.type', message }]);
    }
    const details = input.contact ?? {};
    let contactId = input.contactId;
    if (contactId !== undefined) await mustExist(tx, contacts, orgId, contactId, 'Contact');
    if (input.verified === false) {
      contactId = await withUnverifiedDetails(tx, orgId, contactId, details);
    } else {
      contactId ??= await findOrCreateContact(tx, orgId, details);
      // An existing contact gets the new details (custom_data merged key by key); a new one already has them.
      await updateContactDetails(tx, orgId, contactId, details);
    }
    const { customData, verified } = input;
    return openSession(tx, { orgId, channelId: channel.id, contactId, customData, verified });
  });
  return created.catch(uniqueToConflict);
}

export interface SessionPatch {
  status?: SessionStatus | undefined;
  customData?: CustomData | undefined;
  assigneeId?: string | null | undefined;
  teamId?: string | null | undefined;
  priority?: Priority | undefined;
  handedOff?: boolean | undefined;
  close?: CloseOptions | undefined;
  /** Replaces the session's tags (session-tags.ts). */
  tags?: string[] | undefined;
}

/** Open's options for a status change (PATCH /chat/sessions/{id}); see changeStatus. */
export interface CloseOptions {
  /** false: no summary and sentiment for this close (Open's generate_summary_and_sentiment_on_resolve). */
  summarize?: boolean | undefined;
  /** false: the change is not sent to webhooks (Open's reflect_status_change_for_integration). */
  reflect?: boolean | undefined;
  /** Open's session_closed_payload: stored on the session and carried in `conversation.closed`. */
  payload?: Record<string, unknown> | undefined;
}

export async function patchSession(
  db: Db,
  orgId: string,
  sessionId: string,
  patch: SessionPatch,
  actor: Actor,
): Promise<void> {
  await db.transaction(async (tx) => {
    const s = await lockSession(tx, orgId, sessionId);
    const now = new Date();
    const set: Partial<SessionRow> = { updatedAt: now };
    if (patch.customData) set.customData = mergeCustomData(s.customData, patch.customData);
    if (patch.priority) set.priority = patch.priority;
    if (patch.handedOff !== undefined) {
      // false hands the session back to the AI; true leaves it to the humans.
      Object.assign(set, { handedOff: patch.handedOff, handledBy: patch.handedOff ? 'human' : 'ai' });
    }
    if (patch.teamId !== undefined) {
      if (patch.teamId !== null) await mustExist(tx, teams, orgId, patch.teamId, 'Team');
      set.teamId = patch.teamId;
    }
    if (patch.assigneeId !== undefined && patch.assigneeId !== s.assigneeId) {
      if (patch.assigneeId !== null) await mustExist(tx, agents, orgId, patch.assigneeId, 'Agent');
      set.assigneeId = patch.assigneeId;
      const teamId = set.teamId ?? s.teamId;
      await logEvent(tx, s, 'conversation.assigned', { assignee_id: patch.assigneeId, team_id: teamId });
    }
    if (patch.tags) await writeTags(tx, s, { set: patch.tags }, actor);
    if (patch.status && patch.status !== s.status) {
      Object.assign(set, await changeStatus(tx, s, patch.status, actor, patch.close));
    }
    await tx.update(sessions).set(set).where(and(eq(sessions.orgId, orgId), eq(sessions.id, sessionId)));
  });
}

/** The fields a status change sets, after writing its history row and event. */
export async function changeStatus(
  tx: Tx,
  s: SessionRow,
  to: SessionStatus,
  actor: Actor,
  options: CloseOptions = {},
): Promise<Partial<SessionRow>> {
  const from = s.status;
  const text = `Status changed from ${from} to ${to}`;
  await writeHistory(tx, s, { eventType: 'status_changed', sender: 'system', text, agentId: actor.agentId, context: { from, to } });
  const closing = to !== 'open';
  const closedBy = { closed_by: actor.agentId ? 'human_agent' : 'api', human_resolution_status: to.slice('closed_'.length) };
  const payload = closing && options.payload ? { session_closed_payload: options.payload } : {};
  await logEvent(tx, s, closing ? 'conversation.closed' : 'conversation.status_changed', {
    from,
    to,
    ...(closing ? closedBy : {}),
    ...payload,
    ...(options.reflect === false ? { reflect_status_change_for_integration: false } : {}),
  });
  if (!closing) {
    // Reopening clears the insights and the last close's options, so the next close summarizes the whole
    // conversation again.
    return { status: to, closedAt: null, insights: null, summarizeOnClose: null, closedPayload: null };
  }
  const closeOptions = { summarizeOnClose: options.summarize ?? null, closedPayload: options.payload ?? null };
  return { status: to, closedAt: s.closedAt ?? new Date(), ...closeOptions };
}

export async function logEvent(tx: Tx, s: SessionRow, type: string, data: Record<string, unknown>) {
  await tx.insert(events).values({ orgId: s.orgId, sessionId: s.id, type, data: { session_id: s.id, ...data } });
}

/** The one unique key these writes can hit is a contact's email (given to another contact): a 409, not a 500. */
export function uniqueToConflict(err: unknown): never {
  const code = (e: unknown) => (e as { code?: unknown } | undefined)?.code;
  if (code(err) === '23505' || code((err as { cause?: unknown } | undefined)?.cause) === '23505') {
    throw new ConflictError('Another contact of this organization already has this email');
  }
  throw err;
}

export async function lockSession(tx: Tx, orgId: string, sessionId: string): Promise<SessionRow> {
  const [s] = await tx
    .select()
    .from(sessions)
    .where(and(eq(sessions.orgId, orgId), eq(sessions.id, sessionId)))
    .for('update');
  if (!s) throw new NotFoundError('Chat session');
  return s;
}

async function mustExist(tx: Tx, table: typeof agents | typeof teams | typeof contacts, orgId: string, id: string, what: string) {
  const [row] = await tx.select({ id: table.id }).from(table).where(and(eq(table.orgId, orgId), eq(table.id, id)));
  if (!row) throw new NotFoundError(what);
}
