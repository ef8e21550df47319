import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * A tiny `sh` that SIGKILLs redis-server once our stdin pipe closes, i.e. when this Node process dies in any way
 * (even SIGKILL, where no 'exit' handler runs), so a managed redis never outlives Switchboard.
 */
export function spawnWatchdog(pid: number): ChildProcess | null {
  try {
    const w = spawn('sh', ['-c', 'read _ ; kill -9 "$1" 2>/dev/null', 'sh', String(pid)], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true, // out of our process group, so a signal to the group does not disarm it
    });
    w.on('error', () => {});
    w.unref();
    (w.stdin as unknown as Socket | null)?.unref();
    return w;
  } catch {
    return null;
  }
}
