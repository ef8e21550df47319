import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// Switchboard as the sandbox runs it: `src/main.ts` in its own process, exactly as `npm start` would, on the
// sandbox's port and data folder, with an admin key the sandbox chose so it can create the channels.

const ROOT = resolve(import.meta.dirname, '../..');

export interface SwitchboardProcess {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startSwitchboard(opts: { port: number; dataDir: string; adminKey: string; env: NodeJS.ProcessEnv }): Promise<SwitchboardProcess> {
  const url = `http://127.0.0.1:${opts.port}`;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...opts.env,
      PORT: String(opts.port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATA_DIR: opts.dataDir,
      SWITCHBOARD_BOOTSTRAP_KEY: opts.adminKey,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const kill = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(kill);
  };
  const deadline = Date.now() + 90_000;
  while (!(await fetch(`${url}/readyz`).then((r) => r.ok, () => false))) {
    if (proc.exitCode !== null) throw new Error(`Switchboard exited with code ${proc.exitCode} before it was ready`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error('Switchboard did not become ready within 90 s');
    }
    await sleep(200);
  }
  return { url, proc, stop };
}
