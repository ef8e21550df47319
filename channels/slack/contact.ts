import { type SlackConfig, tokenFor } from './config.ts';
import { abortable, type ClientPool } from './web-client.ts';

// Who wrote to us: Slack events carry only a user id, so core asks once per contact (users.info, scopes users:read
// and users:read.email). Best effort by contract: any failure — no token, missing scope, unknown user — is
// "unknown", never an error that could hold up the message.

interface SlackUser {
  name?: string;
  real_name?: string;
  profile?: { real_name?: string; display_name?: string; email?: string };
}

export function createContactLookup(config: SlackConfig, clients: ClientPool) {
  return async function lookupContact(address: string, signal: AbortSignal): Promise<{ name?: string; email?: string } | undefined> {
    const m = /^([A-Z0-9]+):([UW][A-Z0-9]+)$/.exec(address);
    if (!m) return undefined;
    const token = tokenFor(config, m[1]);
    if (!token) return undefined;
    try {
      const res = await abortable(() => clients.forToken(token).users.info({ user: m[2]! }), signal);
      const user = (res.user ?? {}) as SlackUser;
      const name = user.profile?.real_name || user.profile?.display_name || user.real_name || user.name || undefined;
      const email = user.profile?.email || undefined;
      if (!name && !email) return undefined;
      return { ...(name ? { name } : {}), ...(email ? { email } : {}) };
    } catch {
      return undefined;
    }
  };
}
