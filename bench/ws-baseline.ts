import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, WebSocketServer } from 'ws';
import { startChild } from './child.ts';
import { heapCensusOf, heapSnapshotOptions, type PerConnectionHeap, perConnectionHeap } from './heap-census.ts';

// (g) Baseline for the web chat's memory per connection (bench/widget-load.ts is the product side): the least a
// process can spend to hold widget sockets, a bare `ws` WebSocketServer upgrading on a node:http server, set up like
// the gateway (noServer, perMessageDeflate off, 64 KB frames), in its own child process (this file again, with
// BENCH_WS_BASELINE=serve) so its memory is its own. It answers the first frame with `ready`, so the bench's visitor
// client (hello → ready) drives it unchanged; then the sockets sit idle. Here too the tools both sides use: that
// client and the memory sampler. The file imports nothing but node, `ws` and child.ts, so the child carries no more.

export interface Frame {
  type: string;
  client_msg_id?: string;
  session_id?: string;
  message?: { text: string | null; sender: { type: string } };
}

/**
 * `dropped`: closed after `ready`, before the end. `connectSeconds`: opening them (not the samples between steps).
 * `samples`: before the first step and after each; `perStep`: per connection, step by step; `perConnection`: their
 * median, leaving out the `disturbed` steps (see holdSockets).
 */
export interface Held {
  held: number;
  failed: number;
  dropped: number;
  connectSeconds: number;
  samples: MemorySample[];
  perStep: Array<Memory & { disturbed: boolean }>;
  perConnection: Memory;
  /** Live objects one more socket adds, from heap snapshots (see holdSockets). */
  census: PerConnectionHeap;
}

/** Bytes, after a forced full GC: RSS; `heap` = V8's heap used (`jsHeap`) + external (Buffers, WebAssembly…). */
export interface Memory {
  rss: number;
  heap: number;
  jsHeap: number;
  external: number;
}

/** `steady`: whether RSS held still before the deadline; `seconds`: how long the sample took. */
export interface MemorySample extends Memory {
  steady: boolean;
  seconds: number;
}

/** At most `wanted`, and no more than the open-files limit allows (this process holds one fd per socket). */
export function connectionLimit(wanted: number): { n: number; capped?: string } {
  const soft = /Max open files\s+(\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
  // Headroom for the processes' own files: modules, Redis and database connections, the HTTP clients.
  const room = soft === undefined || soft === 'unlimited' ? Infinity : Number(soft) - 512;
  return room >= wanted ? { n: wanted } : { n: Math.max(0, room), capped: `capped from ${wanted} by ulimit -n ${soft}` };
}

/**
 * Env for a child whose memory is measured: a preload that, on SIGUSR2, runs V8's full memory-reducing GC (the
 * `last-resort` flavour) and prints process.memoryUsage() on stdout; and SIGUSR1 writes a heap snapshot into
 * `snapshotDir` (bench/heap-census.ts); nothing else. Without the GC, garbage left from startup and from registering
 * the visitors swings the server's RSS by hundreds of MB (seen at idle: 900 → 545 MB after one GC, whenever V8 gets
 * to it), far more than the sockets' own cost. The heap figure is the cross-check RSS needs: RSS also moves with
 * what the allocators keep, reuse or hand back.
 */
export function memoryProbeEnv(snapshotNodeOptions: string): { NODE_OPTIONS: string } {
  return {
    NODE_OPTIONS: [
      process.env.NODE_OPTIONS,
      '--expose-gc',
      "--import=data:text/javascript,process.on('SIGUSR2',()=>{globalThis.gc({type:'major',execution:'sync',flavor:'last-resort'});console.log('bench-memory',JSON.stringify(process.memoryUsage()))})",
      snapshotNodeOptions,
    ].filter(Boolean).join(' '),
  };
}

const rssBytes = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const STEADY = { samples: 10, bytes: 1024 * 1024, maxMs: 45_000 };

/**
 * A sample a second, each right after a full GC (memoryProbeEnv), until RSS holds still: the last ten within 1 MB
 * (or 45 s pass). After a busy spell V8 and malloc hand memory back in steps, seconds apart (seen: 544 → 457 MB over
 * 13 s at idle, the JS heap unchanged; the bare server drops 9 MB 6–9 s after start, after 5 still seconds), so an
 * early sample counts that return against the sockets. The medians of the last ten.
 */
export async function settledMemory(proc: ChildProcess): Promise<MemorySample> {
  const started = Date.now();
  const rss: number[] = [];
  const usages: NodeJS.MemoryUsage[] = [];
  const read = (chunk: string) => {
    for (const [, json] of chunk.matchAll(/^bench-memory (\{.*\})$/gm)) usages.push(JSON.parse(json!) as NodeJS.MemoryUsage);
  };
  proc.stdout!.on('data', read);
  let steady = false;
  try {
    while (!steady && Date.now() - started < STEADY.maxMs) {
      proc.kill('SIGUSR2');
      await sleep(1000);
      rss.push(rssBytes(proc.pid!));
      const last = rss.slice(-STEADY.samples);
      steady = last.length === STEADY.samples && Math.max(...last) - Math.min(...last) <= STEADY.bytes;
    }
  } finally {
    proc.stdout!.off('data', read);
  }
  const seconds = (Date.now() - started) / 1000;
  const last = usages.slice(-STEADY.samples);
  const jsHeap = median(last.map((u) => u.heapUsed));
  const external = median(last.map((u) => u.external));
  return { rss: median(rss.slice(-STEADY.samples)), heap: jsHeap + external, jsHeap, external, steady, seconds };
}

export const perConnection = (before: Memory, after: Memory, held: number): Memory => ({
  rss: (after.rss - before.rss) / held,
  heap: (after.heap - before.heap) / held,
  jsHeap: (after.jsHeap - before.jsHeap) / held,
  external: (after.external - before.external) / held,
});

export async function lanes(count: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) await fn(next++);
  }));
}

/** Opens `count` sockets, 64 handshakes at a time, each sending hello and held once `ready` arrives. */
export async function openSockets(url: string, origin: string | undefined, hello: (i: number) => object, count: number, onFrame: (i: number, f: Frame) => void) {
  const sockets: Array<WebSocket | undefined> = [];
  let failed = 0;
  const drops = { count: 0 };
  const t0 = performance.now();
  await lanes(count, 64, async (i) => {
    try {
      sockets[i] = await new Promise<WebSocket>((resolve, reject) => {
        // perMessageDeflate off, as the gateway: a deflate context per socket would be most of the client's memory.
        const ws = new WebSocket(url, { perMessageDeflate: false, ...(origin ? { origin } : {}) });
        const timer = setTimeout(() => fail(new Error('no ready within 30 s')), 30_000);
        const fail = (err: Error) => {
          clearTimeout(timer);
          ws.terminate();
          reject(err);
        };
        ws.on('error', fail);
        ws.once('unexpected-response', (_req, res) => fail(new Error(`upgrade refused: ${res.statusCode}`)));
        ws.once('open', () => ws.send(JSON.stringify(hello(i))));
        ws.on('message', (data) => {
          const f = JSON.parse(data.toString()) as Frame;
          if (f.type !== 'ready') return onFrame(i, f);
          clearTimeout(timer);
          ws.once('close', () => drops.count++);
          resolve(ws);
        });
      });
    } catch {
      failed++;
    }
  });
  return { sockets, failed, drops, connectSeconds: (performance.now() - t0) / 1000 };
}

const STEPS = 3;
/** The sockets opened between the two heap snapshots: hello(count + j) for j below this. */
export const censusSockets = (count: number) => Math.max(1, Math.round(count / STEPS));
const WARM_SOCKETS = 100;
/** A step whose external memory moved more than this saw something else: a socket holds under 1 KB of it. */
const DISTURBED_EXTERNAL = 32 * 1024 * 1024;

/**
 * `count` sockets into `proc`, in STEPS equal steps with a memory sample before the first and after each; first a
 * warm-up of a few sockets, opened and closed, so first-use costs (JIT, caches) fall before the samples. Per
 * connection is the median over the steps, so that one of the process's own memory swings (tens of MB either way)
 * is outvoted; a step in which the server's one-off ~430 MB release of external memory (it comes at some point of
 * its first database work, before or during the steps) falls is `disturbed` and left out.
 * The census is the caller's to take (`takeCensus`), after everything timed: a snapshot costs the child hundreds of
 * MB of RSS and seconds of a full heap walk, which would weigh on any latency measured after it. It is a heap
 * snapshot, censusSockets(count) more sockets, another snapshot, and those extra sockets closed again.
 */
export async function holdSockets(proc: ChildProcess, url: string, origin: string | undefined, count: number, hello: (i: number) => object, onFrame: (i: number, f: Frame) => void, snapshotDir: string) {
  const warm = await openSockets(url, origin, hello, Math.min(WARM_SOCKETS, count), () => {});
  for (const ws of warm.sockets) ws?.close();
  const samples = [await settledMemory(proc)];
  const sockets: Array<WebSocket | undefined> = [];
  const drops: Array<{ count: number }> = [];
  const perStep: Held['perStep'] = [];
  let failed = 0;
  let connectSeconds = 0;
  for (let step = 0; step < STEPS; step++) {
    const from = Math.round((count * step) / STEPS);
    const n = Math.round((count * (step + 1)) / STEPS) - from;
    const run = await openSockets(url, origin, (i) => hello(from + i), n, (i, f) => onFrame(from + i, f));
    run.sockets.forEach((ws, i) => (sockets[from + i] = ws));
    failed += run.failed;
    connectSeconds += run.connectSeconds;
    drops.push(run.drops);
    samples.push(await settledMemory(proc));
    const [a, b] = [samples.at(-2)!, samples.at(-1)!];
    perStep.push({ ...perConnection(a, b, n - run.failed), disturbed: Math.abs(b.external - a.external) > DISTURBED_EXTERNAL });
  }
  const counted = perStep.some((m) => !m.disturbed) ? perStep.filter((m) => !m.disturbed) : perStep;
  const mid = (pick: (m: Memory) => number) => median(counted.map(pick));
  return {
    sockets,
    held: () => sockets.filter((ws) => ws?.readyState === WebSocket.OPEN).length,
    dropped: () => drops.reduce((sum, d) => sum + d.count, 0),
    takeCensus: () => censusOf(proc, snapshotDir, () => openSockets(url, origin, (j) => hello(count + j), censusSockets(count), () => {})),
    memory: { samples, perStep, perConnection: { rss: mid((m) => m.rss), heap: mid((m) => m.heap), jsHeap: mid((m) => m.jsHeap), external: mid((m) => m.external) } },
    failed,
    connectSeconds,
  };
}

async function censusOf(proc: ChildProcess, dir: string, open: () => ReturnType<typeof openSockets>): Promise<PerConnectionHeap> {
  const before = await heapCensusOf(proc, dir);
  const extra = await open();
  try {
    const after = await heapCensusOf(proc, dir);
    return perConnectionHeap(before, after, extra.sockets.filter((ws) => ws?.readyState === WebSocket.OPEN).length);
  } finally {
    await Promise.all(extra.sockets.map((ws) => ws && new Promise((resolve) => (ws.once('close', resolve), ws.terminate()))));
  }
}

/** (g) The bare server's memory per idle socket, `count` sockets from the same client as the product's. */
export async function bareWsMemory(count: number): Promise<Held> {
  const snapshots = heapSnapshotOptions();
  const child = startChild('bench/ws-baseline.ts', { BENCH_WS_BASELINE: 'serve', ...memoryProbeEnv(snapshots.nodeOptions) });
  let sockets: Array<WebSocket | undefined> = [];
  try {
    const [, url] = await child.waitFor(/listening (\S+)/, 20_000);
    const run = await holdSockets(child.proc, url!, undefined, count, () => ({ type: 'hello' }), () => {}, snapshots.dir);
    sockets = run.sockets;
    const census = await run.takeCensus();
    return { held: run.held(), failed: run.failed, dropped: run.dropped(), connectSeconds: run.connectSeconds, ...run.memory, census };
  } finally {
    for (const ws of sockets) ws?.terminate();
    await child.stop();
    rmSync(snapshots.dir, { recursive: true, force: true });
  }
}

/** The child: the bare server, until SIGTERM. */
function serve(): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('message', () => ws.send('{"type":"ready"}'));
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`listening ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
  });
  process.on('SIGTERM', () => {
    for (const ws of wss.clients) ws.terminate();
    server.close(() => process.exit(0));
  });
}

if (process.env.BENCH_WS_BASELINE === 'serve') serve();
