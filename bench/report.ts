import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';

// The printed table and artifacts/bench.json.

export interface Row {
  name: string;
  rate: number;
  unit: string;
  p50?: number;
  p99?: number;
  note?: string;
}

export function machine() {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    /** 1-minute load average when the run started: other work on the machine skews every figure. */
    loadAvg1m: Number(loadavg()[0]!.toFixed(2)),
  };
}

const num = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function table(rows: Row[], ratios: Array<[string, number]>, footer: string[]): string {
  const head = ['measurement', 'throughput', 'p50 ms', 'p99 ms', 'notes'];
  const body = rows.map((r) => [r.name, `${num(r.rate)} ${r.unit}`, num(r.p50, 1), num(r.p99, 1), r.note ?? '']);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 1 || i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i >= 1 && i <= 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [
    line(head),
    sep,
    ...body.map(line),
    '',
    ...ratios.map(([label, v]) => `${label}: ${num(v, 3)}`),
    ...footer,
  ].join('\n');
}

export function writeJson(file: string, data: unknown): string {
  const path = resolve(import.meta.dirname, '..', file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
