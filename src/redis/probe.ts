import { connect } from 'node:net';

export interface ProbeOptions {
  /** Sent with AUTH first (the managed redis-server requires it). */
  password?: string;
  timeoutMs?: number;
  host?: string;
}

/** A RESP array: the password travels as a bulk string, whatever characters it holds. */
const command = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/**
 * Sends `PING` and `INFO server` (after `AUTH` with a password) over a raw socket to 127.0.0.1:port. Resolves the
 * server's process_id once it answers `+PONG` (so not while it is still loading its AOF), or null when nothing
 * ready answers in time, or the password is refused. The pid lets a caller tell its own redis-server from another
 * one squatting on the port.
 */
export function probeRedis(port: number, opts: ProbeOptions = {}): Promise<number | null> {
  const { password, timeoutMs = 500, host = '127.0.0.1' } = opts;
  const expected = `${password === undefined ? '' : '+OK\r\n'}+PONG\r\n`;
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
    sock.on('connect', () => sock.write(`${password === undefined ? '' : command('AUTH', password)}PING\r\nINFO server\r\n`));
    sock.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      // -LOADING, -NOAUTH, -WRONGPASS, not redis...
      if (buf.length >= expected.length && !buf.startsWith(expected)) return done(null);
      const m = /process_id:(\d+)\r\n/.exec(buf);
      if (m) done(Number(m[1]));
    });
  });
}
