import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.ts';
import { choosePort, findFreePort, isPortFree } from './free-port.ts';
import { managedRedisDir, managedRedisPassword, managedRedisUrlFor } from './managed-redis-auth.ts';
import { probeRedis } from './probe.ts';
import { spawnWatchdog } from './watchdog.ts';

/**
 * A redis-server that Switchboard starts, supervises and stops itself (used when REDIS_URL is unset). It listens
 * on 127.0.0.1 only and requires the password of managed-redis-auth.ts, which reaches redis-server on its stdin,
 * never on its command line (every local user can read that in `ps`).
 */
export interface ManagedRedis {
  /** redis://:<password>@127.0.0.1:<port> */
  url: string;
  port: number;
  password: string;
  /** Stops supervision, SIGTERM (redis flushes its AOF), SIGKILL after 5 s. Idempotent. */
  stop(): Promise<void>;
  /** Kills the child WITHOUT restarting it (supervision paused): for tests simulating an outage. */
  kill(signal?: NodeJS.Signals): void;
  /** Starts it again on the same port, waits for PING, resumes supervision. */
  restart(): Promise<void>;
}

export interface ManagedRedisOptions {
  dataDir: string;
  logger: Logger;
  port?: number;
  /** How long to wait for the first PONG; default 10 s. */
  readyTimeoutMs?: number;
}

const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 5000;
const STOP_GRACE_MS = 5000;
const TAIL_LINES = 20;

interface Running {
  child: ChildProcess;
  watchdog: ChildProcess | null;
  exited: Promise<void>;
  startedAt: number;
  ready: boolean;
}

export async function startManagedRedis(opts: ManagedRedisOptions): Promise<ManagedRedis> {
  const dir = managedRedisDir(opts.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const password = managedRedisPassword(opts.dataDir);
  const log = opts.logger.child({ component: 'managed-redis' });
  const readyTimeoutMs = opts.readyTimeoutMs ?? 10_000;
  const tail: string[] = [];
  let current: Running | null = null;
  let supervised = false;
  let stopped = false;
  let backoff = BACKOFF_MIN_MS;
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  /** Lifecycle operations run one at a time. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn);
    chain = p.catch(() => {});
    return p;
  };

  const spawnOnce = async (port: number): Promise<void> => {
    tail.length = 0;
    // `-`: the rest of the configuration (the password) is read from stdin.
    const args = ['-', '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--daemonize', 'no',
      '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''];
    // Its own process group: a Ctrl-C or a SIGTERM sent to Switchboard's group must not stop Redis before the app
    // has drained its workers; the app stops it last. The watchdog and the 'exit' hook keep it from outliving us.
    const child = spawn('redis-server', args, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    child.stdin?.on('error', () => {}); // it exited before reading: reported below
    child.stdin?.end(`requirepass "${password}"\n`);
    let spawnError: Error | null = null;
    const exited = new Promise<void>((resolve) => {
      child.once('error', (err) => ((spawnError = err), resolve()));
      child.once('exit', () => resolve());
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) {
          if (!line.trim()) continue;
          tail.push(line.trimEnd());
          if (tail.length > TAIL_LINES) tail.shift();
          log.debug({ redisPid: child.pid }, line.trimEnd());
        }
      });
    }
    const run: Running = { child, watchdog: child.pid ? spawnWatchdog(child.pid) : null, exited, startedAt: Date.now(), ready: false };
    current = run;
    void exited.then(() => onExit(run));

    const deadline = Date.now() + readyTimeoutMs;
    const fail = (why: string) => {
      child.kill('SIGKILL');
      const lines = tail.length ? `; last output:\n  ${tail.slice(-8).join('\n  ')}` : '';
      return new Error(`managed redis-server on port ${port} ${why}${lines}`);
    };
    for (;;) {
      if (spawnError) {
        const e = spawnError as NodeJS.ErrnoException;
        throw e.code === 'ENOENT'
          ? new Error('redis-server not found: run `bash scripts/ensure-system.sh redis` or set REDIS_URL')
          : e;
      }
      if (child.exitCode !== null || child.signalCode !== null)
        throw fail(`exited during startup (${child.exitCode ?? child.signalCode})`);
      const pid = await probeRedis(port, { password });
      if (pid === child.pid) break;
      if (pid !== null) throw fail(`could not start: port is answered by another redis-server (pid ${pid})`);
      if (Date.now() > deadline) throw fail(`did not answer PING within ${readyTimeoutMs} ms`);
      await sleep(50);
    }
    run.ready = true;
    writeFileSync(join(dir, 'port'), `${port}\n`);
    log.info({ redisPid: child.pid, port }, 'managed redis-server ready');
  };

  const onExit = (run: Running) => {
    run.watchdog?.kill('SIGKILL');
    if (current !== run) return;
    current = null;
    if (!run.ready) return; // a failed start: its caller reports it and retries
    const { exitCode, signalCode, pid: redisPid } = run.child;
    if (!supervised || stopped) return void log.info({ redisPid, exitCode, signalCode }, 'managed redis-server exited');
    if (Date.now() - run.startedAt > 30_000) backoff = BACKOFF_MIN_MS;
    log.error({ redisPid, exitCode, signalCode, lastOutput: tail.slice(-5), restartInMs: backoff },
      'managed redis-server died unexpectedly; restarting');
    scheduleRestart();
  };

  const scheduleRestart = () => {
    if (timer) return;
    const delay = backoff;
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    timer = setTimeout(() => {
      timer = null;
      void serial(async () => {
        if (!supervised || stopped) return;
        await terminate(current); // a child still dying from a failed start
        if (!supervised || stopped) return;
        try {
          await spawnOnce(port);
        } catch (err) {
          log.error({ err, retryInMs: backoff }, 'restarting managed redis-server failed');
          if (supervised && !stopped) scheduleRestart();
        }
      });
    }, delay);
  };

  /** SIGTERM, then SIGKILL after the grace period; resolves once the child is gone. */
  const terminate = async (run: Running | null) => {
    if (!run || run.child.exitCode !== null || run.child.signalCode !== null) return void (await run?.exited);
    run.child.kill('SIGTERM');
    run.child.kill('SIGCONT'); // in case a test stopped it with SIGSTOP
    const t = setTimeout(() => run.child.kill('SIGKILL'), STOP_GRACE_MS);
    await run.exited;
    clearTimeout(t);
  };

  const onProcessExit = () => {
    current?.child.kill('SIGKILL');
    current?.watchdog?.kill('SIGKILL');
  };

  let port = await choosePort(join(dir, 'port'), opts.port);
  for (let attempt = 1; ; attempt++) {
    try {
      await spawnOnce(port);
      break;
    } catch (err) {
      await terminate(current);
      // A port picked by us may have been taken in between: pick another (a port asked for is kept).
      if (opts.port || attempt >= 3 || (await isPortFree(port))) throw err;
      port = await findFreePort();
    }
  }
  process.on('exit', onProcessExit);
  supervised = true;

  const clearTimer = () => void (timer && clearTimeout(timer), (timer = null));
  return {
    url: managedRedisUrlFor(port, password),
    port,
    password,
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      supervised = false;
      clearTimer();
      current?.child.kill(signal);
    },
    restart: () =>
      serial(async () => {
        if (stopped) throw new Error('managed redis-server was stopped');
        supervised = false;
        clearTimer();
        await terminate(current);
        backoff = BACKOFF_MIN_MS;
        try {
          await spawnOnce(port);
          supervised = true;
        } catch (err) {
          supervised = true; // supervision keeps trying
          scheduleRestart();
          throw err;
        }
      }),
    stop: () => {
      stopped = true;
      supervised = false;
      clearTimer();
      return serial(async () => {
        await terminate(current);
        process.off('exit', onProcessExit);
      });
    },
  };
}
