import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { listen, type ListeningApp } from '../helpers/server.ts';

// An error answered before the request body was read (401, 413, …) closes the connection, so that a keep-alive
// client's next request goes out on a new one and succeeds. Over a real port, with node's keep-alive Agent: one
// socket at most, so the second request would reuse the first's socket if the server let it.

let t: TestApp;
let server: ListeningApp;
beforeAll(async () => {
  t = await createTestApp();
  server = await listen(t);
});
afterAll(async () => {
  await server.close();
  await t.close();
});

interface Sent {
  status: number;
  connection: string | undefined;
  reusedSocket: boolean;
}

function send(agent: Agent, method: string, path: string, opts: { body?: Buffer; chunked?: boolean; headers?: Record<string, string> } = {}): Promise<Sent> {
  const { body, chunked = false, headers = {} } = opts;
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      { agent, method, headers: { 'content-type': 'application/json', ...(body && !chunked ? { 'content-length': String(body.length) } : {}), ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, reusedSocket: req.reusedSocket }));
      },
    );
    req.on('error', reject);
    if (!body) return void req.end();
    if (!chunked) return void req.end(body);
    for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
    req.end();
  });
}

const jsonOf = (bytes: number) => Buffer.from(JSON.stringify({ filler: 'x'.repeat(bytes) }));

describe('keep-alive after an early error', () => {
  const admin = () => ({ authorization: `Bearer ${t.adminKey}` });
  it.each([
    ['a 401 (no key) on an 800 kB body, never read', () => ({ body: jsonOf(800_000) }), 401],
    ['a 413 on a 3 MB body announced by Content-Length', () => ({ body: jsonOf(3_000_000), headers: admin() }), 413],
    ['a 413 on a 3 MB chunked body, cut off by the limit', () => ({ body: jsonOf(3_000_000), chunked: true, headers: admin() }), 413],
  ])('%s: Connection: close, and the next request succeeds', async (_what, first, status) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const refused = await send(agent, 'POST', '/chat/sessions', first());
      expect(refused).toMatchObject({ status, connection: 'close' });
      const next = await send(agent, 'GET', '/healthz');
      expect(next).toEqual({ status: 200, connection: 'keep-alive', reusedSocket: false });
    } finally {
      agent.destroy();
    }
  });

  it('keeps the connection when the body was read (a 400 after parsing) or there was none', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const invalid = await send(agent, 'POST', '/chat/sessions', { body: Buffer.from('{"channel":{"type":"fax"}}'), headers: admin() });
      expect(invalid).toMatchObject({ status: 400, connection: 'keep-alive' });
      expect(await send(agent, 'GET', '/chat/sessions')).toMatchObject({ status: 401, connection: 'keep-alive', reusedSocket: true });
      expect(await send(agent, 'GET', '/healthz')).toMatchObject({ status: 200, reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });
});
