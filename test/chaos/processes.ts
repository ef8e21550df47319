import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../helpers/free-port.ts';

// The real OS processes a chaos run kills: the server (src/main.ts, as `npm start` runs it) and a redis-server with
// AOF on. Each can be killed with SIGKILL and started again on the same port and data, as a supervisor would.

const ROOT = resolve(import.meta.dirname, '../..');

export interface Restartable {
  url: string;
  /** The running process's id (undefined before the first start). */
  pid(): number | undefined;
  /** SIGKILL, and wait until the process is gone. */
  kill9(): Promise<void>;
  /** Start again with the same port and data; resolves when it serves. */
  start(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
}

export { freePort };

function supervised(spawnIt: () => ChildProcess, ready: () => Promise<boolean>, url: string): Restartable {
  let proc: ChildProcess | undefined;
  let output = '';
  const keep = (c: Buffer) => (output = (output + c.toString()).slice(-20_000));
  const gone = async () => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((ok) => p.once('exit', () => ok()));
  };
  const self: Restartable = {
    url,
    pid: () => proc?.pid,
    log: () => output,
    kill9: async () => {
      proc?.kill('SIGKILL');
      await gone();
    },
    start: async () => {
      proc = spawnIt();
      proc.stdout?.on('data', keep);
      proc.stderr?.on('data', keep);
      const deadline = Date.now() + 60_000;
      while (!(await ready())) {
        if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`did not start:\n${output.slice(-4000)}`);
        await sleep(50);
      }
    },
    stop: async () => {
      proc?.kill('SIGTERM');
      const force = setTimeout(() => proc?.kill('SIGKILL'), 15_000);
      await gone();
      clearTimeout(force);
    },
  };
  return self;
}

/** redis-server with AOF (fsync every second, Redis's default for AOF), loopback only. */
export async function redisProcess(dir: string): Promise<Restartable> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''];
  const ping = () =>
    new Promise<boolean>((ok) => {
      import('node:net').then(({ connect }) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => s.write('PING\r\n'));
        s.once('data', (d) => {
          s.destroy();
          ok(d.toString().startsWith('+PONG'));
        });
        s.once('error', () => ok(false));
      });
    });
  return supervised(() => spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] }), ping, url);
}

/**
 * The server as its own process; `env` must fix PORT, PUBLIC_URL, DATA_DIR and the stores so a restart is the same
 * box. `url` is where it listens (127.0.0.1:PORT), which PUBLIC_URL need not be (a worker's names an api process).
 */
export async function serverProcess(env: Record<string, string>): Promise<Restartable> {
  const url = `http://127.0.0.1:${env.PORT!}`;
  const ready = () => fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200, () => false);
  const spawnIt = () =>
    spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', SMTP: 'off', IMAP_POLLING: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  return supervised(spawnIt, ready, url);
}
