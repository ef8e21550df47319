import type { Redis } from 'ioredis';
import { turnBudgetMs } from '../src/ai/action-tools.ts';
import { createResponder } from '../src/ai/create-responder.ts';
import type { AiSettings, Responder } from '../src/ai/responder.ts';
import { VersionedCache } from '../src/cache/versioned-cache.ts';
import type { Deps } from '../src/deps.ts';
import { actionToolbox } from '../src/domain/actions/ai-toolbox.ts';
import { loadAiSettings } from '../src/domain/organization/ai-settings.ts';
import { startStorageSweeper } from '../src/domain/files/storage-sweeper.ts';
import { startSweeper } from '../src/domain/relays/work-sweeper.ts';
import { createRedis } from '../src/queue/connection.ts';
import { electionOn, runElected } from '../src/queue/leader-election.ts';
import { processClose } from './close.worker.ts';
import { createNotifyWorker } from './notify.worker.ts';
import { processDispatch } from './dispatch.worker.ts';
import { processRoute } from './route.worker.ts';
import { processTurn } from './turn.worker.ts';
import { createQueueWorker, type WorkerOptions } from './worker-factory.ts';
import type { WorkerDeps } from './worker-deps.ts';

export interface RunningWorkers {
  /** Stop taking jobs, let running ones finish (BullMQ's close waits for them), close connections.
   *  `force`: do not wait for running jobs (what a crash looks like to the other workers). */
  close(force?: boolean): Promise<void>;
}

export interface StartOptions {
  concurrency?: number;
  /** Wraps each organization's responder (tests use it to observe turns; production passes nothing). */
  wrapResponder?: (r: Responder) => Responder;
  stalledIntervalMs?: number;
  lockDurationMs?: number;
  sweepIntervalMs?: number;
  storageSweepIntervalMs?: number;
}

/**
 * Starts one worker per queue (turn, dispatch, route, close, notify) on the app's deps, and stands for the work
 * and storage sweepers: whichever process holds each one's election runs it (one per cluster, however many
 * processes run the workers).
 */
export function startWorkers(deps: Deps, opts: StartOptions = {}): RunningWorkers {
  const locks = createRedis(deps.redisUrl, 'worker');
  locks.on('error', (err) => deps.logger.debug({ err: err.message }, 'lock redis error'));
  const aiSettings = new VersionedCache<AiSettings>();
  const actions = actionToolbox(deps);
  const wdeps: WorkerDeps = {
    ...deps,
    locks,
    responderFor: async (orgId, version) => {
      const settings = version ? await aiSettings.get(orgId, version, () => loadAiSettings(deps, orgId)) : await loadAiSettings(deps, orgId);
      const responder = createResponder(settings, { fetch: deps.outbound.fetch, actions });
      const { tag_rules: tagRules, always_summarize: alwaysSummarize } = settings;
      return { responder: opts.wrapResponder ? opts.wrapResponder(responder) : responder, timeoutMs: turnBudgetMs(settings), tagRules, alwaysSummarize };
    },
  };
  const base: WorkerOptions = {
    redisUrl: deps.redisUrl,
    queuePrefix: deps.config.queuePrefix,
    logger: deps.logger,
    concurrency: opts.concurrency ?? deps.config.workers.concurrency,
    stalledIntervalMs: opts.stalledIntervalMs ?? deps.config.workers.stalledCheckMs,
    lockDurationMs: opts.lockDurationMs ?? deps.config.workers.jobLockMs,
  };
  // Each started worker is closed the same way, whatever its queue's job type.
  const started: Array<{ worker: { close(force?: boolean): Promise<void> }; connection: Redis }> = [
    createQueueWorker('turn', (job, token) => processTurn(job, token, wdeps), base),
    createQueueWorker('dispatch', (job, token) => processDispatch(job, token, wdeps), base),
    createQueueWorker('route', (job) => processRoute(job, wdeps), base),
    createQueueWorker('close', (job) => processClose(job, wdeps), base),
  ];
  started.push(createNotifyWorker(deps, base));
  const election = electionOn(deps);
  const sweeper = runElected('work-sweeper', election, () =>
    startSweeper(deps.db, deps.queues, deps.logger, {
      intervalMs: opts.sweepIntervalMs ?? 2000,
      inactivityMs: deps.config.workers.inactivityMs,
    }),
  );
  const storage = runElected('storage-sweeper', election, () =>
    startStorageSweeper(deps, deps.config.blobs.graceMs, opts.storageSweepIntervalMs),
  );
  return {
    async close(force = false) {
      await Promise.all([sweeper.stop(), storage.stop()]);
      await Promise.all(started.map((s) => s.worker.close(force)));
      await Promise.all([...started.map((s) => s.connection.quit().catch(() => {})), quit(locks)]);
    },
  };
}

const quit = (r: Redis) => r.quit().then(() => undefined, () => undefined);
