// What one Switchboard process runs, chosen by ROLE. One box runs everything (`all`); scaling out runs N `api`
// and M `worker` processes on one PostgreSQL and one Redis, and the periodic work that must happen once per
// cluster is elected among the processes that run the workers (src/queue/leader-election.ts).

export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export interface RoleParts {
  /** The HTTP API, provider webhooks, web chat sockets, the console and the SMTP listener. */
  api: boolean;
  /** The queue workers and the elected periodic work: the relays, the sweepers, IMAP polling (src/roles/background.ts). */
  background: boolean;
}

export const ROLE_PARTS = {
  all: { api: true, background: true },
  api: { api: true, background: false },
  // Its HTTP listener serves /healthz and /readyz only (src/http/probe-app.ts).
  worker: { api: false, background: true },
} as const satisfies Record<Role, RoleParts>;
