import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

// A TypeScript entry run as a child process (node --import tsx: one process, so signals reach it directly).

const ROOT = resolve(import.meta.dirname, '..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface Child {
  proc: ChildProcess;
  /** The last lines it wrote (stdout and stderr), for error messages. */
  tail(): string;
  /** Resolves with the first match of `re` in its stdout. */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** `nodeArgs`: extra node flags (the bench's `--cpu-prof`). */
export function startChild(entry: string, env: Record<string, string | undefined> = {}, nodeArgs: string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', TSX, resolve(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stdout = '';
  const keep = (chunk: string) => {
    lines.push(...chunk.split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 30));
  };
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => ((stdout += c), keep(c)));
  proc.stderr!.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
  const tail = () => lines.join('\n');

  return {
    proc,
    tail,
    async waitFor(re, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = re.exec(stdout);
        if (m) return m;
        if (proc.exitCode !== null) throw new Error(`${entry} exited (${proc.exitCode}):\n${tail()}`);
        if (Date.now() > deadline) throw new Error(`${entry}: no ${re} within ${timeoutMs} ms:\n${tail()}`);
        await sleep(25);
      }
    },
    async stop(graceMs = 15_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Polls `url` until it answers 200 (or the child dies, or time runs out). */
export async function waitForHttp(child: Child, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) return;
    if (child.proc.exitCode !== null) throw new Error(`server exited (${child.proc.exitCode}):\n${child.tail()}`);
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms:\n${child.tail()}`);
    await sleep(100);
  }
}
