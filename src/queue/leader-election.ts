import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

// Periodic work that must run once per cluster (the relays, the sweepers, IMAP polling) is elected, not run in
// every process: each candidate tries to hold a Redis key with a short TTL, the holder renews it on a heartbeat
// (as session-lock.ts does for sessions) and runs the work only while it holds the key. A holder that dies (kill -9,
// lost network) stops renewing, and another candidate takes the key within one TTL and one beat; one that stops
// cleanly gives the key up at once, and a key left by a process of this host that no longer runs (the previous
// incarnation of a restarted server) is taken at once too, so a restart does not wait out the TTL. A holder that cannot reach Redis steps down before its key can have expired,
// since someone else may then hold it. Each such job is idempotent (job ids dedupe, cursors live in the database),
// so the short overlap a stalled holder could cause around a hand-over does no harm: the election is there so the
// work is not done N times over, and so IMAP mailboxes are polled by one process at a time.

/** Takes the key when it is free, or renews it when it is ours: 1 if we hold it now. */
const HOLD = `local v = redis.call('get', KEYS[1])
if v == false then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** How long an elected holder keeps the job without renewing: how long a dead holder's job waits for a successor. */
export const LEADER_TTL_MS = 5000;

export interface Stoppable {
  /** Ends the work and waits for a step in progress. */
  stop(): Promise<void>;
}

export interface ElectedJob extends Stoppable {
  /** Whether this process holds the job's key, and so runs it, right now. */
  readonly leading: boolean;
}

export interface ElectionOptions {
  /** A fail-fast connection (the producer's): a beat must not wait out a Redis outage. */
  redis: Redis;
  prefix: string;
  logger: Logger;
  ttlMs?: number;
}

/** The key a job's holder keeps; its value names the holder (`host:pid:random`). */
export const leaderKey = (prefix: string, job: string) => `{${prefix}}:leader:${job}`;

/** The election options of a process, from its deps. */
export const electionOn = (deps: { redis: Redis; config: { queuePrefix: string }; logger: Logger }): ElectionOptions => ({
  redis: deps.redis,
  prefix: deps.config.queuePrefix,
  logger: deps.logger,
});

/**
 * Stands for `job` and runs `start()`'s work only while elected: started when this process takes the key, stopped
 * when it loses it. stop() ends the candidacy, stops the work and gives the key up, so a successor takes over at
 * its next beat.
 */
export function runElected(job: string, opts: ElectionOptions, start: () => Stoppable): ElectedJob {
  const ttlMs = opts.ttlMs ?? LEADER_TTL_MS;
  const beatMs = Math.max(Math.floor(ttlMs / 3), 50);
  const key = leaderKey(opts.prefix, job);
  const token = `${hostname()}:${process.pid}:${randomUUID()}`;
  candidates.add(token);
  const log = opts.logger.child({ elected: job });
  let work: Stoppable | undefined;
  /** By our clock, the latest our key can still be alive (from when the last successful beat was sent). */
  let heldUntil = 0;
  let stopped = false;

  const hold = async () => (await opts.redis.eval(HOLD, 1, key, token, ttlMs)) === 1;
  const beat = async () => {
    const sentAt = Date.now();
    let holds: boolean;
    try {
      holds = await hold();
      if (!holds && !work) holds = await takeFromTheDead(opts.redis, key, hold);
      heldUntil = holds ? sentAt + ttlMs : 0;
    } catch {
      // No answer (Redis down): still ours until the key may have expired, less a beat to stop in.
      holds = Date.now() < heldUntil - beatMs;
    }
    if (stopped) return;
    if (holds && !work) {
      log.info('elected: this process runs it');
      work = start();
    } else if (!holds && work) {
      log.warn('no longer elected: stopping it in this process');
      const ending = work;
      work = undefined;
      await ending.stop();
    }
  };

  let beating: Promise<void> | undefined;
  const tick = () => {
    beating ??= beat()
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'election beat failed'))
      .finally(() => (beating = undefined));
  };
  const timer = setInterval(tick, beatMs);
  timer.unref();
  tick();

  return {
    get leading() {
      return work !== undefined;
    },
    async stop() {
      stopped = true;
      candidates.delete(token);
      clearInterval(timer);
      await beating;
      const ending = work;
      work = undefined;
      await ending?.stop();
      // After the work has stopped, so the successor never overlaps with it.
      await opts.redis.eval(RELEASE, 1, key, token).catch(() => {});
    },
  };
}

/** The tokens of this process's candidates (tests run several in one process). */
const candidates = new Set<string>();

/** When the key's holder is a process of this host that has exited, removes its key (if still its) and takes it. */
async function takeFromTheDead(redis: Redis, key: string, hold: () => Promise<boolean>): Promise<boolean> {
  const holder = await redis.get(key);
  const [host, pid] = holder?.split(':') ?? [];
  if (!holder || host !== hostname() || candidates.has(holder) || !isGone(Number(pid))) return false;
  await redis.eval(RELEASE, 1, key, holder);
  return hold();
}

/** Our own pid in a token not of ours is an earlier process (a container restarted with the same pid). */
function isGone(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
