import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger.ts';
import { startManagedRedis, type ManagedRedis } from '../../src/redis/managed-redis.ts';

/**
 * A redis-server of the calling test's own, in its own temp dir, so a test can kill('SIGKILL') / restart() it
 * mid-traffic without disturbing the shared one. stop() also deletes its data dir. Logs are silent unless
 * TEST_LOG_LEVEL is set.
 */
export async function startPrivateRedis(): Promise<ManagedRedis> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-private-redis-'));
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'private-redis');
  let redis: ManagedRedis;
  try {
    redis = await startManagedRedis({ dataDir, logger });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...redis,
    stop: async () => {
      await redis.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
