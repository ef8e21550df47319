import { createHash } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { AppError, ForbiddenError, RateLimitedError, UnauthorizedError, ValidationError } from '../../errors.ts';
import { clientIp } from '../../http/client-ip.ts';
import type { AppEnv } from '../../http/env.ts';
import { zodDetails } from '../../http/errors.ts';
import { sameSecret } from '../../http/middleware/auth.ts';
import { newRouter } from '../../http/router.ts';
import { agentForCredentials } from './console-credentials.ts';
import { clearConsoleCookie, setConsoleCookie } from './console-cookie.ts';
import { CONSOLE_COOKIE, type ConsoleAgent, type ConsoleSessions } from './console-sessions.ts';

// Sign-in, sign-out and "who am I" for the console. A wrong email and a wrong password get the same answer.

/**
 * Attempts are counted per email from one client IP, and per client IP. Not per email alone: that would let anyone
 * lock an agent out (even from the agent's own address, with the right password) by failing ten times from
 * anywhere. Guessing one password from many addresses is bounded per address here and by the password policy
 * (src/domain/organization/password-policy.ts).
 */
export interface LoginLimits {
  /** Attempts per email address from one client IP per window (guessing one agent's password from one host). */
  perEmailFromIp: number;
  /** Attempts per client IP per window, whatever the email (one host spraying many accounts). */
  perIp: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perEmailFromIp: 10, perIp: 100, windowMs: 15 * 60_000 };

const LoginBody = z.strictObject({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024) });

const INVALID = 'Invalid email or password';

const view = (agent: ConsoleAgent, orgId: string, csrf: string) => ({
  agent: { id: agent.id, name: agent.name, email: agent.email, role: agent.role },
  org_id: orgId,
  csrf_token: csrf,
});

export function consoleAuthRoutes(deps: Deps, sessions: ConsoleSessions, limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
  const app = newRouter();
  const { publicUrl } = deps.config;

  app.post('/console/api/login', async (c) => {
    // JSON only: a cross-site HTML form cannot send it, so nobody can sign a visitor into their own account.
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the credentials as application/json');
    }
    const parsed = LoginBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) throw new ValidationError('Validation failed', zodDetails(parsed.error));
    const { email, password } = parsed.data;
    await checkLimits(deps, limits, email, ip(c, deps.config.trustProxyHops));

    const agent = await agentForCredentials(deps.db, email, password);
    if (!agent) throw new UnauthorizedError(INVALID);
    const previous = getCookie(c, CONSOLE_COOKIE);
    if (previous) await sessions.destroy(previous);
    const { token, csrf } = await sessions.create(agent);
    setConsoleCookie(c, token, publicUrl, sessions.ttlMs);
    c.header('Cache-Control', 'no-store');
    return c.json(view(agent, agent.orgId, csrf), 200);
  });

  app.post('/console/api/logout', async (c) => {
    const token = getCookie(c, CONSOLE_COOKIE);
    const session = token ? await sessions.resolve(token) : null;
    if (token && session) {
      if (!sameSecret(c.req.header('x-csrf-token'), session.csrf)) throw new ForbiddenError('Missing or invalid CSRF token');
      await sessions.destroy(token);
    }
    clearConsoleCookie(c, publicUrl);
    return c.body(null, 204);
  });

  app.get('/console/api/me', async (c) => {
    const token = getCookie(c, CONSOLE_COOKIE);
    const session = token ? await sessions.resolve(token) : null;
    if (!token || !session) throw new UnauthorizedError('Not signed in');
    // Sliding expiry: the console asks on every load, so an agent who keeps working stays signed in.
    setConsoleCookie(c, token, publicUrl, sessions.ttlMs);
    c.header('Cache-Control', 'no-store');
    return c.json(view(session.agent, session.orgId, session.csrf), 200);
  });

  return app;
}

async function checkLimits(deps: Deps, limits: LoginLimits, email: string, ip: string): Promise<void> {
  // Emails are hashed: Redis keys get listed in monitoring tools, addresses should not be.
  const emailKey = createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 32);
  const verdicts = await Promise.all([
    deps.limiter.hit(`console-login:email-ip:${emailKey}:${ip}`, limits.perEmailFromIp, limits.windowMs),
    deps.limiter.hit(`console-login:ip:${ip}`, limits.perIp, limits.windowMs),
  ]);
  const refused = verdicts.filter((v) => !v.allowed);
  if (refused.length > 0) {
    throw new RateLimitedError('Too many sign-in attempts: try again later', Math.max(...refused.map((v) => v.retryAfterMs)));
  }
}

function ip(c: Context<AppEnv>, trustedHops: number): string {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    peer = undefined; // not served by node (app.request in tests)
  }
  return clientIp(peer, c.req.header('x-forwarded-for'), trustedHops) ?? 'unknown';
}
