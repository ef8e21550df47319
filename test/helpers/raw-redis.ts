import { connect } from 'node:net';

// Redis spoken over a bare socket: what a stranger's client sees, before any client library's handshake.

/** What the server at host:port answers to `commands` (inline RESP), read until it goes quiet for 150 ms. */
export function rawRedisReply(port: number, commands: string, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    let reply = '';
    let quiet: NodeJS.Timeout | undefined;
    sock.on('connect', () => sock.write(commands));
    sock.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      clearTimeout(quiet);
      quiet = setTimeout(() => (sock.destroy(), resolve(reply)), 150);
    });
    sock.on('error', reject);
  });
}
