import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

// Load generators: autocannon (HTTP, in this process) and a closed loop of N in-flight async operations.

interface Histogram {
  average: number;
  p50: number;
  p99: number;
}
interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  ['2xx']: number;
  statusCodeStats: Record<string, { count: number }>;
}
export interface HttpRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: HttpRequest) => HttpRequest;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

/** autocannon against `url` with `connections` for `seconds`; rps is the per-second average, latency in ms. */
export async function httpLoad(url: string, connections: number, seconds: number, requests: HttpRequest[]): Promise<LoadResult> {
  const r = await autocannon({ url, connections, duration: seconds, requests, timeout: 10 });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, Number(v.count)])),
  };
}

export interface LoopResult {
  opsPerSec: number;
  p50: number;
  p99: number;
  count: number;
  errors: number;
}

/** Runs `op` with `inFlight` concurrent callers for `seconds`; latency of each op in ms. */
export async function closedLoop(inFlight: number, seconds: number, op: (i: number) => Promise<unknown>): Promise<LoopResult> {
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const caller = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await op(n++);
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, caller));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    opsPerSec: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    count: latencies.length,
    errors,
  };
}

/**
 * An open loop: starts `op(i)` for i in 0..count-1 at a steady `rate` per second, each at its due time whether or
 * not earlier ones have finished (a late tick starts the overdue ones at once). Resolves when all have settled,
 * with the rate actually achieved over the sending period.
 */
export async function paced(rate: number, count: number, op: (i: number) => Promise<unknown>): Promise<{ rate: number }> {
  const started: Array<Promise<unknown>> = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    started.push(op(i).catch(() => {}));
  }
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(started);
  return { rate: count > 1 ? (count - 1) / seconds : count };
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
