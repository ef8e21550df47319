import type { IncomingMessage } from 'node:http';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';

// An error answered before the request's body was read (a 401 from auth, a 413 from the body limit, …) leaves the
// rest of that body on the connection. @hono/node-server then reads it away for at most 500 ms and 64 MB before
// it destroys the socket, after a response that said "keep-alive": a keep-alive client sends its next request on
// that socket and gets "socket hang up". Saying `Connection: close` on such responses makes Node close the
// connection once it is answered and tells the client to open a new one for its next request.

/** The node request under Hono (undefined in app.request, where there is no connection). */
const incomingOf = (env: unknown): IncomingMessage | undefined => (env as { incoming?: IncomingMessage } | undefined)?.incoming;

function bodyLeftUnread(incoming: IncomingMessage): boolean {
  const { headers } = incoming;
  const hasBody = headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
  return hasBody && !incoming.readableEnded;
}

export function closeOnEarlyError() {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    const incoming = incomingOf(c.env);
    if (c.res.status >= 400 && incoming && bodyLeftUnread(incoming)) c.header('Connection', 'close');
  });
}
