import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// An internal HTTP service as an SSRF test needs one: it listens where told (default `::`, which takes IPv4 and
// IPv6 loopback alike, so any spelling of "this host" reaches it if the guard lets it through), records every
// request, and answers from a handler (default: 200 "internal secret").

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface RecordingPeer {
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type PeerHandler = (req: IncomingMessage, res: ServerResponse) => void;

const secret: PeerHandler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end('internal secret');
};

export async function startRecordingPeer(handler: PeerHandler = secret, host = '::'): Promise<RecordingPeer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '/', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
