import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Deps } from '../../../src/deps.ts';
import { AppError } from '../../../src/errors.ts';
import { clientIp } from '../../../src/http/client-ip.ts';
import { RealtimeHub } from './hub.ts';
import { originAllowed } from './origin.ts';
import { type WebChannel, webChannelsOf } from './web-channel.ts';
import { WidgetConnection } from './ws-connection.ts';

// The widget's WebSocket endpoint, GET /widget/{public_id}/ws, on the same HTTP server as the API. The channel
// and the Origin are checked *before* the upgrade, so a disallowed site gets a plain 403 and never a socket.

const PATH = /^\/widget\/([A-Za-z0-9_-]{1,64})\/ws(?:\?.*)?$/;
const PING_MS = 25_000;

export interface WidgetGateway {
  /** For `server.on('upgrade', …)`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  readonly connections: number;
  readonly hub: RealtimeHub;
  /** Close every socket with 1001 (the widget reconnects, to another process if there is one). */
  close(): Promise<void>;
}

export function createWidgetGateway(deps: Deps, opts: { pingMs?: number } = {}): WidgetGateway {
  const hub = new RealtimeHub(deps.redisUrl, deps.config.queuePrefix, deps.logger);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  const alive = new WeakSet<WebSocket>();
  let closing = false;

  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, opts.pingMs ?? PING_MS);
  pinger.unref();

  // One context and one pong listener for every socket (not a closure each: bench's heap census). `closed` runs
  // once per socket, from the connection's own close listener.
  const context = { deps, hub, logger: deps.logger, closed: () => deps.metrics.widgetSockets.dec() };
  function heard(this: WebSocket): void {
    alive.add(this);
  }
  // Outside handleUpgrade on purpose: a closure made in there would keep the upgrade request, its headers and
  // `head` alive for as long as the socket lives (seen in heap snapshots of the benchmark).
  const accept = (ws: WebSocket, channel: WebChannel, ip: string | undefined) => {
    alive.add(ws);
    deps.metrics.widgetSockets.inc();
    ws.on('pong', heard);
    new WidgetConnection(ws, channel, context, ip);
  };

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const publicId = PATH.exec(req.url ?? '')?.[1];
    if (!publicId) return refuse(socket, 404, `No WebSocket endpoint at ${req.url}`);
    if (closing) return refuse(socket, 503, 'The server is restarting');
    webChannelsOf(deps).get(publicId).then(
      (channel) => {
        const origin = req.headers.origin;
        if (!originAllowed(origin, channel.config.allowed_origins, deps.config.publicUrl, req.headers.host)) {
          return refuse(socket, 403, `Origin ${origin} may not use this chat: add it to the channel's allowed_origins`);
        }
        const forwarded = req.headers['x-forwarded-for'];
        const ip = clientIp(req.socket.remoteAddress, Array.isArray(forwarded) ? forwarded.join(',') : forwarded, deps.config.trustProxyHops);
        wss.handleUpgrade(req, socket, head, (ws) => accept(ws, channel, ip));
      },
      (err: unknown) => {
        const status = err instanceof AppError ? err.status : 503;
        refuse(socket, status, err instanceof AppError ? err.message : 'Try again later');
      },
    );
  };

  return {
    handleUpgrade,
    hub,
    get connections() {
      return wss.clients.size;
    },
    async close() {
      closing = true;
      clearInterval(pinger);
      for (const ws of wss.clients) ws.close(1001, 'Server restarting');
      // Give the closing handshakes a moment, then cut whatever did not answer.
      for (let i = 0; i < 20 && wss.clients.size > 0; i++) await new Promise((r) => setTimeout(r, 50));
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await hub.close();
    },
  };
}

const REASONS: Record<number, string> = { 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' };

/** An HTTP answer on a socket that asked to upgrade, in the API's error body. */
function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ statusCode: status, message, error: REASONS[status] ?? 'Error' });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
