import { connect } from 'node:net';

/**
 * Sends `PING` and `INFO server` over a raw socket to 127.0.0.1:port. Resolves the server's process_id once it
 * answers `+PONG` (so not while it is still loading its AOF), or null when nothing ready answers in time.
 * The pid lets a caller tell its own redis-server from another one squatting on the port.
 */
export function probeRedis(port: number, timeoutMs = 500, host = '127.0.0.1'): Promise<number | null> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    let buf = '';
    const done = (pid: number | null) => {
      sock.destroy();
      resolve(pid);
    };
    sock.setTimeout(timeoutMs, () => done(null));
    sock.on('error', () => done(null));
    sock.on('close', () => done(null));
    sock.on('connect', () => sock.write('PING\r\nINFO server\r\n'));
    sock.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      if (buf.length >= 7 && !buf.startsWith('+PONG\r\n')) return done(null); // -LOADING, -NOAUTH, not redis...
      const m = /process_id:(\d+)\r\n/.exec(buf);
      if (m) done(Number(m[1]));
    });
  });
}
