import type { Deps } from '../deps.ts';
import { startEventRelay } from '../domain/relays/event-fanout.ts';
import { startRelay } from '../domain/relays/outbox.ts';
import { type ElectedJob, electionOn, runElected } from '../queue/leader-election.ts';
import { startWorkers } from '../../workers/main.ts';

// The worker side of a process (ROLE=worker, or ROLE=all beside the API): the queue workers, and the periodic work
// that must run once per cluster, each part elected among the processes that run this (src/queue/leader-election.ts):
// the outbox relay (committed work whose job is missing from Redis), the event relay (events to webhook deliveries:
// job ids would make N of them safe, but they would only race each other for the same rows), the channels' periodic
// work (IMAP polling: one poller per mailbox at a time), and the work and storage sweepers (started with the workers, workers/main.ts).

export interface Background {
  close(): Promise<void>;
}

export function startBackground(deps: Deps): Background {
  const election = electionOn(deps);
  const { relay } = deps.config;
  const elected: ElectedJob[] = [
    runElected('outbox-relay', election, () => startRelay(deps.db, deps.queues, deps.logger, relay)),
    runElected('event-relay', election, () => startEventRelay(deps, { intervalMs: relay.intervalMs })),
  ];
  // Each channel's periodic work (email: IMAP polling; two pollers of one mailbox at once would fetch the same new
  // mail before either moved the cursor).
  for (const server of deps.channels.servers) {
    for (const job of server.periodic?.(deps) ?? []) elected.push(runElected(job.name, election, job.start));
  }
  const workers = startWorkers(deps);
  return {
    async close() {
      await Promise.all(elected.map((job) => job.stop()));
      await workers.close();
    },
  };
}
