import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

// The organization's own API as a system action calls it: node:http on 127.0.0.1, port 0. It records each
// request (method, path with query, headers, body) and answers from a queue the test fills, or by default 200 with
// JSON echoing what it got, the Authorization header included (as some servers do, so redaction is tested).

export interface ActionRequestSeen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type ActionPeerReply = { status: number; json?: unknown; text?: string; delayMs?: number };

export interface ActionPeer {
  /** http://127.0.0.1:PORT */
  base: string;
  port: number;
  requests: ActionRequestSeen[];
  enqueue(...replies: ActionPeerReply[]): void;
  close(): Promise<void>;
}

export async function startActionPeer(): Promise<ActionPeer> {
  const requests: ActionRequestSeen[] = [];
  const script: ActionPeerReply[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method ?? '', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      const reply = script.shift() ?? { status: 200, json: { ok: true, method: seen.method, path: seen.path, body: seen.body, authorization: req.headers.authorization ?? null } };
      const send = () => {
        if (reply.text !== undefined) res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.text);
        else res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.json ?? {}));
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    requests,
    enqueue: (...replies) => void script.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
