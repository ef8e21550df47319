import type { Redis } from 'ioredis';
import type { AiSettings, Responder } from '../src/ai/responder.ts';
import type { Deps } from '../src/deps.ts';

/** What workers get: the app's deps, a plain Redis connection for locks, and the responder of an organization. */
export interface WorkerDeps extends Deps {
  locks: Redis;
  /** `settingsVersion` (from the turn's context): settings read at that version are reused, not read again. */
  responderFor(orgId: string, settingsVersion?: string): Promise<{ responder: Responder; timeoutMs: number; tagRules: AiSettings['tag_rules']; alwaysSummarize: boolean }>;
}
