import type { Server } from 'node:http';
import type { Deps } from '../deps.ts';
import type { Stoppable } from '../domain/model/channel-server.ts';

// What an API process runs beside HTTP for the channels that have their own ingress (the SMTP listener, the web
// chat's sockets on the HTTP server's port): every registered channel server's startIngress, stopped together.

export async function startChannelIngress(deps: Deps, http: Server): Promise<Stoppable> {
  const started: Stoppable[] = [];
  for (const server of deps.channels.servers) {
    const ingress = await server.startIngress?.(deps, http);
    if (ingress) started.push(ingress);
  }
  return {
    stop: async () => {
      await Promise.all(started.map((s) => s.stop()));
    },
  };
}
