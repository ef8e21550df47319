import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// A per-session mutex in Redis, so two turns (or two dispatches) of one session never run at once, whatever
// the number of worker processes. The token makes release safe: only the holder can delete the key. The TTL
// bounds how long a dead worker's lock can block its session.

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface SessionLock {
  release(): Promise<void>;
}

export async function tryLockSession(
  redis: Redis,
  prefix: string,
  kind: 'turn' | 'dispatch',
  sessionId: string,
  ttlMs: number,
): Promise<SessionLock | null> {
  const key = `{${prefix}}:lock:${kind}:${sessionId}`;
  const token = randomUUID();
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return null;
  return {
    release: async () => {
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
