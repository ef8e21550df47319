import type { Logger } from '../logger.ts';
import type { ApiKeyRole } from '../domain/model/enums.ts';
import type { OneTimeSecrets } from './one-time-secrets.ts';

/** Who is calling: resolved from the API key by the auth middleware. */
export interface AuthContext {
  orgId: string;
  role: ApiKeyRole;
  keyId: string;
  /** For agent keys: the agent the key acts as. */
  agentId: string | null;
}

/** Hono's typed context variables for every route. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    auth: AuthContext;
    /** Fields of the response that are secrets shown once (set by the route, read by the idempotency middleware). */
    oneTimeSecrets?: OneTimeSecrets;
  };
}
