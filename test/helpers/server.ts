import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createWidgetGateway, type WidgetGateway } from '../../src/widget/ws-gateway.ts';
import type { TestApp } from './app.ts';

export interface ListeningApp {
  /** http://127.0.0.1:<port> */
  url: string;
  /** ws://127.0.0.1:<port> */
  wsUrl: string;
  gateway: WidgetGateway;
  close(): Promise<void>;
}

/**
 * A port free right now, for an app whose PUBLIC_URL must be known before it listens (provider signatures
 * cover the URL): createTestApp({ PUBLIC_URL: `http://127.0.0.1:${port}` }), then listen(t, { port }).
 */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

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
