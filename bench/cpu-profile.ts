import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

// The top self-time functions of a V8 CPU profile (`node --cpu-prof`, the .cpuprofile JSON format of the Chrome
// DevTools protocol's Profiler domain: nodes with a callFrame, samples naming a node id, timeDeltas in µs). Self
// time is what a function spent in its own code, not in what it called: where the process really went.

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  function: string;
  where: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Samples in (idle): the process had nothing to do. */
  idleShare: number;
  top: HotFunction[];
  /** Busy time by where the code lives (a package, our source, node, the wasm of PGlite), largest first. */
  byPart: Array<{ part: string; selfMs: number; share: number }>;
}

const ROOT = resolve(import.meta.dirname, '..');

/**
 * The busiest .cpuprofile in `dir`, summarized. Node writes one per thread (tsx's loader runs in a worker of its
 * own): the main thread is the one that was not idle.
 */
export function summarizeProfileDir(dir: string, top = 15): ProfileSummary | undefined {
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => summarizeProfile(join(dir, f), top));
  return all.sort((a, b) => b.totalMs * (1 - b.idleShare) - a.totalMs * (1 - a.idleShare))[0];
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, { frame: CallFrame; us: number }>();
  const parts = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const frame = frames.get(id)!;
    total += us;
    if (frame.functionName === '(idle)') idle += us;
    if (frame.functionName !== '(idle)') parts.set(partOf(frame), (parts.get(partOf(frame)) ?? 0) + us);
    const key = `${frame.functionName}|${frame.url}|${frame.lineNumber}`;
    const entry = self.get(key) ?? { frame, us: 0 };
    entry.us += us;
    self.set(key, entry);
  });
  const hot = [...self.values()]
    .filter((e) => e.frame.functionName !== '(idle)')
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map(({ frame, us }) => ({
      function: frame.functionName || '(anonymous)',
      where: frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '(native)',
      selfMs: us / 1000,
      share: total ? us / total : 0,
    }));
  const busy = total - idle;
  const byPart = [...parts]
    .sort((a, b) => b[1] - a[1])
    .map(([part, us]) => ({ part, selfMs: us / 1000, share: busy ? us / busy : 0 }));
  return { file: relative(ROOT, file), totalMs: total / 1000, idleShare: total ? idle / total : 0, top: hot, byPart };
}

/** Which package a frame's code is in; PGlite's Postgres is wasm; ours by top folder. */
function partOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url.startsWith('wasm://')) return 'pglite (wasm: Postgres)';
  if (!url) return functionName === '(garbage collector)' ? 'garbage collector' : 'native (syscalls, V8)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  return path.startsWith(ROOT) ? `ours: ${relative(ROOT, path).split('/')[0]}/` : 'other';
}

/** Paths inside the repository relative to it, node_modules from the package name on. */
function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

/** The summary as lines for the bench's footer. */
export function profileLines(label: string, s: ProfileSummary): string[] {
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  return [
    `${label} CPU profile (${s.file}): ${(s.totalMs / 1000).toFixed(1)} s sampled, idle ${pct(s.idleShare)}; top self time:`,
    `  busy time by part: ${s.byPart.slice(0, 8).map((p) => `${p.part} ${pct(p.share)}`).join(', ')}`,
    ...s.top.map((h, i) => `  ${String(i + 1).padStart(2)}. ${pct(h.share).padStart(6)} ${h.selfMs.toFixed(0).padStart(6)} ms  ${h.function}  ${h.where}`),
  ];
}
