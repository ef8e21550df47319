import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { sessions } from '../../db/schema/index.ts';
import type { CustomData } from '../contacts/custom-data.ts';
import { type Actor, lockSession, logEvent, type SessionRow } from './session-commands.ts';

// Session tags (Open's tags, Chatwoot's labels). Kept normalized — trimmed, lower-case, unique, sorted — so
// "VIP" and "vip " are one tag and a filter finds both. Every change is one `conversation.tags_changed` event
// naming what was added and removed; a change that changes nothing writes nothing.

export const MAX_TAGS = 50;

export interface TagChange {
  /** Replaces the whole set (PATCH tags). */
  set?: readonly string[] | undefined;
  add?: readonly string[] | undefined;
  remove?: readonly string[] | undefined;
}

/** One tag as stored: trimmed, lower-case, inner whitespace collapsed. */
export const normalizeTag = (tag: string) => tag.trim().toLowerCase().replace(/\s+/g, ' ');

/** The tags after a change: normalized, unique, sorted. */
export function applyTagChange(current: readonly string[], change: TagChange): string[] {
  const next = new Set((change.set ?? current).map(normalizeTag));
  for (const t of change.add ?? []) next.add(normalizeTag(t));
  for (const t of change.remove ?? []) next.delete(normalizeTag(t));
  return [...next].sort();
}

/** Within a transaction holding the session: writes the new set and its event; returns the session's tags. */
export async function writeTags(tx: Tx, s: SessionRow, change: TagChange, by: Actor | 'rule'): Promise<string[]> {
  const tags = applyTagChange(s.tags, change);
  const added = tags.filter((t) => !s.tags.includes(t));
  const removed = s.tags.filter((t) => !tags.includes(t));
  if (added.length === 0 && removed.length === 0) return s.tags;
  await tx.update(sessions).set({ tags, updatedAt: new Date() }).where(eq(sessions.id, s.id));
  const changedBy = by === 'rule' ? { changed_by: 'rule' } : { changed_by: by.agentId ? 'human_agent' : 'api', agent_id: by.agentId };
  await logEvent(tx, s, 'conversation.tags_changed', { added, removed, tags, ...changedBy });
  return tags;
}

/** POST/DELETE /chat/sessions/{id}/tags: the session's organization is checked by the lock (404 otherwise). */
export async function changeTags(db: Db, orgId: string, sessionId: string, change: TagChange, actor: Actor): Promise<string[]> {
  return db.transaction(async (tx) => writeTags(tx, await lockSession(tx, orgId, sessionId), change, actor));
}

/** A tag rule (AI settings `tag_rules`): the tag, when the session's custom_data has every pair of `when`. */
export interface TagRule {
  tag: string;
  when: CustomData;
}

/** The tags whose rules match this custom_data. */
export function tagsFromRules(rules: readonly TagRule[], customData: CustomData): string[] {
  return rules.filter((r) => Object.entries(r.when).every(([k, v]) => customData[k] === v)).map((r) => r.tag);
}
