import { createHash, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Db } from '../../db/client.ts';
import { agents } from '../../db/schema/index.ts';
import type { AgentRole } from '../../domain/model/enums.ts';
import type { AuthContext } from '../../http/env.ts';
import type { CookieAuthenticator } from '../../http/middleware/auth.ts';

// Console sign-ins live in Redis, so every gateway process sees a logout at once. The cookie holds a random
// token; Redis holds only its SHA-256, so a dump of Redis cannot be replayed as cookies.

export const CONSOLE_COOKIE = 'sb_console';
export const CONSOLE_SESSION_TTL_MS = 12 * 3600 * 1000;
/** How long an agent's role and password are trusted before they are read again (deletions take this long elsewhere). */
const AGENT_CACHE_MS = 5000;
const AGENT_CACHE_MAX = 10_000;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** What Redis keeps per sign-in. `pw` fingerprints the password hash: a changed or removed password ends the session. */
interface SessionRecord {
  agentId: string;
  orgId: string;
  role: AgentRole;
  csrf: string;
  pw: string;
}

export interface ConsoleAgent {
  id: string;
  name: string;
  email: string;
  role: AgentRole;
}

export interface ConsoleSession {
  agent: ConsoleAgent;
  orgId: string;
  csrf: string;
}

/** An agent row as sign-in reads it. */
export interface SignInAgent extends ConsoleAgent {
  orgId: string;
  passwordHash: string | null;
}

export interface ConsoleSessionOptions {
  ttlMs?: number;
  agentCacheMs?: number;
  now?: () => number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const fingerprint = (passwordHash: string | null) => (passwordHash === null ? '' : sha256(passwordHash).slice(0, 32));

export class ConsoleSessions implements CookieAuthenticator {
  readonly cookieName = CONSOLE_COOKIE;
  readonly ttlMs: number;
  readonly #agentCacheMs: number;
  readonly #now: () => number;
  readonly #agents = new Map<string, { row: SignInAgent | null; expires: number }>();

  constructor(
    private readonly deps: { db: Db; redis: Redis; config: { queuePrefix: string } },
    opts: ConsoleSessionOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? CONSOLE_SESSION_TTL_MS;
    this.#agentCacheMs = opts.agentCacheMs ?? AGENT_CACHE_MS;
    this.#now = opts.now ?? Date.now;
  }

  #key(token: string): string {
    return `${this.deps.config.queuePrefix}:console:${sha256(token)}`;
  }

  /** Signs an agent in: a new random token (for the cookie) and CSRF token. */
  async create(agent: SignInAgent): Promise<{ token: string; csrf: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const record: SessionRecord = { agentId: agent.id, orgId: agent.orgId, role: agent.role, csrf, pw: fingerprint(agent.passwordHash) };
    await this.deps.redis.set(this.#key(token), JSON.stringify(record), 'PX', this.ttlMs);
    return { token, csrf };
  }

  /** The live session of a token, its TTL renewed; null when unknown, expired, or the agent changed since. */
  async resolve(token: string): Promise<ConsoleSession | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const raw = await this.deps.redis.getex(this.#key(token), 'PX', this.ttlMs);
    const record = raw === null ? null : parseRecord(raw);
    if (!record) return null;
    const agent = await this.#agent(record.agentId);
    if (!agent || agent.orgId !== record.orgId || agent.role !== record.role || fingerprint(agent.passwordHash) !== record.pw) {
      await this.destroy(token);
      return null;
    }
    return { agent: { id: agent.id, name: agent.name, email: agent.email, role: agent.role }, orgId: agent.orgId, csrf: record.csrf };
  }

  async authenticate(token: string): Promise<{ auth: AuthContext; csrf: string } | null> {
    const session = await this.resolve(token);
    if (!session) return null;
    return { auth: { orgId: session.orgId, role: session.agent.role, keyId: 'console', agentId: session.agent.id }, csrf: session.csrf };
  }

  async destroy(token: string): Promise<void> {
    if (TOKEN_SHAPE.test(token)) await this.deps.redis.del(this.#key(token));
  }

  async #agent(id: string): Promise<SignInAgent | null> {
    const hit = this.#agents.get(id);
    if (hit && hit.expires > this.#now()) return hit.row;
    const [row] = await this.deps.db
      .select({ id: agents.id, orgId: agents.orgId, name: agents.name, email: agents.email, role: agents.role, passwordHash: agents.passwordHash })
      .from(agents)
      .where(eq(agents.id, id))
      .limit(1);
    if (this.#agents.size >= AGENT_CACHE_MAX) this.#agents.clear();
    this.#agents.set(id, { row: row ?? null, expires: this.#now() + this.#agentCacheMs });
    return row ?? null;
  }
}

function parseRecord(raw: string): SessionRecord | null {
  try {
    const v = JSON.parse(raw) as Partial<SessionRecord>;
    const strings = [v.agentId, v.orgId, v.role, v.csrf, v.pw].every((s) => typeof s === 'string');
    return strings ? (v as SessionRecord) : null;
  } catch {
    return null;
  }
}
