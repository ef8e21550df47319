import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// A per-session mutex in Redis, so two turns (or two dispatches) of one session never run at once, whatever
// the number of worker processes. The token makes release and renewal safe: only the holder can touch the key.
//
// The TTL is short (seconds) and a heartbeat renews it while the holder works, the way BullMQ renews its own job
// locks (https://docs.bullmq.io/guide/workers/stalled-jobs): a holder that dies (kill -9, lost connection) stops
// renewing, so its session is free again within one TTL instead of the longest a turn could ever take.

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface SessionLock {
  /** False once a renewal found the key gone or someone else's (the holder stalled past the TTL). */
  readonly held: boolean;
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
  let held = true;
  // Three renewals per TTL: one slow or failed round trip does not lose the lock.
  const heartbeat = setInterval(() => {
    redis.eval(RENEW, 1, key, token, ttlMs).then(
      (renewed) => {
        if (renewed !== 1) held = false;
      },
      // A Redis blip: the next beat tries again; if the key expires meanwhile the work is retaken (it is idempotent).
      () => {},
    );
  }, Math.max(Math.floor(ttlMs / 3), 50));
  heartbeat.unref();
  return {
    get held() {
      return held;
    },
    release: async () => {
      clearInterval(heartbeat);
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
