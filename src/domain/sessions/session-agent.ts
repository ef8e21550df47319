import { and, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { agents } from '../../db/schema/index.ts';
import { NotFoundError } from '../../errors.ts';
import type { Actor } from './session-commands.ts';

// Who sends an agent message through POST /chat/sessions/{id}/send. An agent key always sends as its own agent;
// otherwise the body's `agent.id` names one: a uuid is Switchboard's own id (unknown: 404, it is a typo), a number
// is Open's. Open clients send their own numeric agent ids, which Switchboard has never seen: such an id is mapped
// to an agent record made for it on first use (name and avatar from the request), so the client works unchanged
// and history shows its id back as `human_agent_id`. A number Switchboard itself showed (an agent's `number`, as
// history reports it) still names that agent.

export interface SendingAgent {
  id?: string | number | undefined;
  name?: string | undefined;
  avatarUrl?: string | undefined;
}

type AgentRef = { id: string; name: string };

export async function resolveAgent(db: Db, orgId: string, actor: Actor, given: SendingAgent | undefined): Promise<AgentRef | null> {
  if (actor.agentId) return mustFind(db, orgId, eq(agents.id, actor.agentId));
  if (typeof given?.id === 'string') return mustFind(db, orgId, eq(agents.id, given.id));
  if (typeof given?.id !== 'number') return null;
  return (await openAgent(db, orgId, given.id, given)) ?? (await find(db, orgId, eq(agents.number, given.id))) ?? createOpenAgent(db, orgId, given.id, given);
}

async function find(db: Db, orgId: string, by: SQL): Promise<AgentRef | undefined> {
  const [row] = await db.select({ id: agents.id, name: agents.name }).from(agents).where(and(eq(agents.orgId, orgId), by));
  return row;
}

async function mustFind(db: Db, orgId: string, by: SQL): Promise<AgentRef> {
  const row = await find(db, orgId, by);
  if (!row) throw new NotFoundError('Agent');
  return row;
}

/** The record made for this Open id, its name and avatar kept up to date with what the client sends. */
async function openAgent(db: Db, orgId: string, openId: number, given: SendingAgent): Promise<AgentRef | undefined> {
  const found = await find(db, orgId, eq(agents.openAgentId, openId));
  if (!found) return undefined;
  const changes = { ...(given.name !== undefined && given.name !== found.name ? { name: given.name } : {}), ...avatar(given) };
  if (Object.keys(changes).length === 0) return found;
  await db.update(agents).set({ ...changes, updatedAt: new Date() }).where(eq(agents.id, found.id));
  return { id: found.id, name: given.name ?? found.name };
}

/**
 * A record for an Open agent: offline with no capacity (routing never picks it), no password (it cannot sign in),
 * and an address under `.invalid` (RFC 2606: never deliverable) because every agent row has a unique email.
 */
async function createOpenAgent(db: Db, orgId: string, openId: number, given: SendingAgent): Promise<AgentRef> {
  await db
    .insert(agents)
    .values({
      orgId,
      openAgentId: openId,
      name: given.name ?? `Agent ${openId}`,
      email: `open-agent-${openId}@open-client.invalid`,
      availability: 'offline',
      capacity: 0,
      ...avatar(given),
    })
    .onConflictDoNothing();
  // A concurrent first send of the same id made it: either way this finds the one record.
  return mustFind(db, orgId, eq(agents.openAgentId, openId));
}

const avatar = (given: SendingAgent) => (given.avatarUrl !== undefined ? { avatarUrl: given.avatarUrl } : {});
