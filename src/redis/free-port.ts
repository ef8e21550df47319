import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A TCP port that was free a moment ago on `host` (the OS picks it: bind port 0, read it, close). */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not read the port the OS picked'))));
    });
  });
}

/** Whether `port` can be bound on `host` right now. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** The port asked for; else the one remembered in `portFile` if it is free; else a fresh free one. */
export async function choosePort(portFile: string, asked: number | undefined): Promise<number> {
  if (asked) return asked;
  try {
    const last = Number(readFileSync(portFile, 'utf8').trim());
    if (Number.isInteger(last) && last > 0 && last < 65536 && (await isPortFree(last))) return last;
  } catch {
    // no port file yet
  }
  return findFreePort();
}
