import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// What each widget socket holds, counted object by object: V8 heap snapshots of a child process (node's
// --heapsnapshot-signal), before and after some more sockets are opened. A snapshot holds only live objects, after
// a full GC, so it is the cross-check `heapUsed` needs: that one also counts garbage V8 has not compacted yet, which
// moves by ±10 MB at idle in the real server (seen: 107.4 → 106.2 → 96.4 MB while 2,000 sockets were added), as
// much as the sockets themselves. The format: https://v8.dev/docs/heap-snapshot (nodes are flat rows of
// `snapshot.meta.node_fields`; a node's `type` indexes `node_types[0]`, its `name` indexes `strings`).

export interface HeapCensus {
  bytes: number;
  /** Self size and count per kind: an object's constructor, a closure's function name, strings, code… */
  kinds: Map<string, { count: number; bytes: number }>;
}

export interface PerConnectionHeap {
  /** Live heap bytes one more connection adds. */
  bytes: number;
  /** The kinds that grew most, per connection. */
  top: Array<{ kind: string; count: number; bytes: number }>;
}

/** A directory for the child's snapshots, and the NODE_OPTIONS that make SIGUSR1 write one there. */
export function heapSnapshotOptions(): { dir: string; nodeOptions: string } {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-heap-'));
  return { dir, nodeOptions: `--heapsnapshot-signal=SIGUSR1 --diagnostic-dir=${dir}` };
}

/** Asks the child for a snapshot and counts it; the file (~100 MB for the server) is removed once read. */
export async function heapCensusOf(proc: ChildProcess, dir: string): Promise<HeapCensus> {
  const before = new Set(readdirSync(dir));
  proc.kill('SIGUSR1');
  // The child writes the file while it is paused, in bursts: it is complete once it parses (it ends with `]}`).
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    await sleep(1000);
    const name = readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (!name) continue;
    const file = join(dir, name);
    const json = readFileSync(file, 'utf8');
    if (!json.trimEnd().endsWith(']}')) continue;
    rmSync(file, { force: true });
    return census(json);
  }
  throw new Error('no heap snapshot within 120 s');
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function census(json: string): HeapCensus {
  const s = JSON.parse(json) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [width, type, name, self] = [fields.length, fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const kinds = new Map<string, { count: number; bytes: number }>();
  let bytes = 0;
  for (let i = 0; i < s.nodes.length; i += width) {
    const t = types[s.nodes[i + type]!]!;
    const kind = t.includes('string') ? '(strings)' : t === 'code' ? '(compiled code)' : `${t} ${s.strings[s.nodes[i + name]!]!.slice(0, 60)}`;
    const size = s.nodes[i + self]!;
    const k = kinds.get(kind) ?? { count: 0, bytes: 0 };
    k.count++;
    k.bytes += size;
    kinds.set(kind, k);
    bytes += size;
  }
  return { bytes, kinds };
}

/** (after − before) / n, with the kinds that grew most. */
export function perConnectionHeap(before: HeapCensus, after: HeapCensus, n: number, top = 8): PerConnectionHeap {
  const grew = [...after.kinds].map(([kind, a]) => {
    const b = before.kinds.get(kind) ?? { count: 0, bytes: 0 };
    return { kind, count: (a.count - b.count) / n, bytes: (a.bytes - b.bytes) / n };
  });
  grew.sort((x, y) => y.bytes - x.bytes);
  return { bytes: (after.bytes - before.bytes) / n, top: grew.slice(0, top) };
}
