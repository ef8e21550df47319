import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.ts';

// The real server (src/main.ts) as its own process, on a random port, a fresh data folder (so an embedded PGlite
// and the first organization with its default web channel and demo knowledge), and the test run's Redis.

const ROOT = resolve(import.meta.dirname, '../..');

export interface RealServer {
  url: string;
  adminKey: string;
  proc: ChildProcess;
  /** The server's recent output, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export async function startRealServer(env: Record<string, string>): Promise<RealServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-e2e-'));
  const port = await freePort();
  const adminKey = `sb_e2e_${randomBytes(16).toString('base64url')}`;
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SWITCHBOARD_BOOTSTRAP_KEY: adminKey,
      DATABASE_URL: '',
      // Several real servers may run at once: each gets its own SMTP port.
      SMTP_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (c: Buffer) => (output = (output + c.toString()).slice(-20_000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const kill = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(kill);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) return { url, adminKey, proc, log: () => output, stop };
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the server did not become ready:\n${output}`);
    }
    await sleep(100);
  }
}
