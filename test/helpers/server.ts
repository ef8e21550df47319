import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createWidgetGateway, type WidgetGateway } from '../../channels/web/server/ws-gateway.ts';
import type { TestApp } from './app.ts';

export interface ListeningApp {
  /** http://127.0.0.1:<port> */
  url: string;
  /** ws://127.0.0.1:<port> */
  wsUrl: string;
  gateway: WidgetGateway;
  close(): Promise<void>;
}

export { freePort } from './free-port.ts';

/** The test app on a random port (or `port`), with the widget's WebSocket gateway, as src/main.ts serves it. */
export async function listen(t: Pick<TestApp, 'app' | 'deps'>, opts: { pingMs?: number; port?: number } = {}): Promise<ListeningApp> {
  const gateway = createWidgetGateway(t.deps, opts);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: t.app.fetch, port: opts.port ?? 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  server.on('upgrade', gateway.handleUpgrade);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    gateway,
    close: async () => {
      await gateway.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
    },
  };
}
