import { createServer } from 'node:net';

/**
 * A port free right now, for a server whose URL must be known before it listens (provider signatures cover the
 * URL; a process restarted by a chaos run must come back on the same port). The one helper every test uses.
 */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
