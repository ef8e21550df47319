import { randomBytes } from 'node:crypto';
import { and, isNotNull, sql } from 'drizzle-orm';
import { hashPassword, verifyPassword } from '../../crypto/password.ts';
import type { Db } from '../../db/client.ts';
import { agents } from '../../db/schema/index.ts';
import type { SignInAgent } from './console-sessions.ts';

// Email + password → the agent. An email is unique per organization, not across them: the same person may be an
// agent of two organizations, so every account with that email is tried and the password picks the one.

/** At most this many accounts share one email; more is not a real person's setup. */
const MAX_ACCOUNTS = 5;

/** Hashed once per process: unknown emails cost one scrypt too, so the response time does not tell which exist. */
let decoy: Promise<string> | undefined;

export async function agentForCredentials(db: Db, email: string, password: string): Promise<SignInAgent | null> {
  const candidates = await db
    .select({ id: agents.id, orgId: agents.orgId, name: agents.name, email: agents.email, role: agents.role, passwordHash: agents.passwordHash })
    .from(agents)
    .where(and(sql`lower(${agents.email}) = ${email.trim().toLowerCase()}`, isNotNull(agents.passwordHash)))
    .orderBy(agents.createdAt)
    .limit(MAX_ACCOUNTS);
  if (candidates.length === 0) {
    decoy ??= hashPassword(randomBytes(16).toString('hex'));
    await verifyPassword(password, await decoy);
    return null;
  }
  for (const agent of candidates) {
    if (await verifyPassword(password, agent.passwordHash!)) return agent;
  }
  return null;
}
