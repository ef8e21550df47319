import type { Logger } from '../../logger.ts';

export interface Periodic {
  /** Stops the timer and waits for a running step to end. */
  stop(): Promise<void>;
}

/**
 * Runs `step` every `intervalMs` for background catch-up work (relays, sweeps). A slow step (Redis timing out) is
 * never stacked: the next starts only after it ends. With `batchSize`, a step that came back full runs again at
 * once, so a backlog drains without waiting for ticks. Errors are logged and retried on the next tick. Work done
 * is logged at `level` (info where it means something was recovered, as for the outbox relay). Where processes
 * share a database, such work runs in one of them at a time, the one elected for it (src/queue/leader-election.ts).
 */
export function runEvery(
  intervalMs: number,
  logger: Logger,
  what: string,
  step: () => Promise<number>,
  opts: { batchSize?: number; level?: 'info' | 'debug' } = {},
): Periodic {
  const { batchSize, level = 'debug' } = opts;
  let stopped = false;
  let running: Promise<void> | undefined;
  const tick = async () => {
    try {
      let n: number;
      do {
        n = await step();
        if (n > 0) logger[level]({ count: n }, what);
      } while (batchSize !== undefined && n >= batchSize && !stopped);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, `${what} failed; will retry`);
    }
  };
  const timer = setInterval(() => {
    running ??= tick().finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
