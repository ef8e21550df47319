import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { createPglite } from './pglite-open.ts';
import * as schema from './schema/index.ts';
import { ERROR_FIELDS, type ThreadError, type ThreadInit, type ThreadReply, type ThreadRequest } from './pglite-thread-protocol.ts';

// The database thread: the embedded PostgreSQL (PGlite, WebAssembly) runs here so that its work — about half of a
// webhook's CPU time (bench/cpu-profile.ts, issue 17) — no longer blocks the server's event loop. It answers the
// requests of pglite-thread.ts one by one as PGlite does; PGlite's own mutex keeps a transaction's statements
// together, exactly as in one thread.

const port = parentPort!;
const init = workerData as ThreadInit;
const pg = await createPglite({ dir: init.dir, load: init.load ? new Blob([init.load]) : undefined, sharedBuffers: init.sharedBuffers });

interface OpenTx {
  tx: Transaction;
  finish: (commit: boolean) => void;
  settled: Promise<void>;
}
// For work sent here whole (op 'call'): the same schema-aware drizzle the server thread uses.
const localDb = drizzle({ client: pg, schema });
const txs = new Map<number, OpenTx>();
let nextTx = 1;
class Rollback extends Error {}
const identity = (value: string) => value;

const reply = (msg: ThreadReply, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);
const toThreadError = (err: unknown): ThreadError => {
  const e = err as Error & Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const key of ERROR_FIELDS) if (e?.[key] !== undefined) fields[key] = e[key];
  return { name: e?.name ?? 'Error', message: e?.message ?? String(err), fields };
};

async function begin(): Promise<number> {
  const id = nextTx++;
  let opened!: () => void;
  const ready = new Promise<void>((resolve) => (opened = resolve));
  const entry = {} as OpenTx;
  entry.settled = pg
    .transaction(async (tx) => {
      await new Promise<void>((resolve, reject) => {
        entry.tx = tx;
        entry.finish = (commit) => (commit ? resolve() : reject(new Rollback()));
        txs.set(id, entry);
        opened();
      });
    })
    .catch((err: unknown) => {
      if (!(err instanceof Rollback)) throw err;
    })
    .finally(() => txs.delete(id));
  // A failed BEGIN rejects `settled` before `ready`: surface it rather than wait forever.
  await Promise.race([ready, entry.settled]);
  if (!txs.has(id)) await entry.settled;
  return id;
}

async function handle(req: ThreadRequest): Promise<unknown> {
  switch (req.op) {
    case 'query': {
      const target: PGlite | Transaction = req.tx === undefined ? pg : txs.get(req.tx)?.tx ?? missingTx(req.tx);
      const parsers = Object.fromEntries(req.rawTypes.map((oid) => [oid, identity]));
      return target.query(req.sql, req.params, { rowMode: req.rowMode, parsers });
    }
    case 'begin':
      return begin();
    case 'call': {
      const mod = (await import(req.module)) as Record<string, (db: unknown, ...args: unknown[]) => Promise<unknown>>;
      const fn = mod[req.fn];
      if (typeof fn !== 'function') throw new Error(`database thread: ${req.module} has no function ${req.fn}`);
      return fn(localDb, ...req.args);
    }
    case 'end': {
      const open = txs.get(req.tx) ?? missingTx(req.tx);
      open.finish(req.commit);
      await open.settled;
      return null;
    }
    case 'migrate':
      await migrate(drizzle({ client: pg }), { migrationsFolder: req.folder });
      return null;
    case 'dump': {
      const blob = await pg.dumpDataDir('gzip');
      return blob.arrayBuffer();
    }
    case 'close':
      await pg.close();
      return null;
  }
}

function missingTx(tx: number): never {
  throw new Error(`database thread: transaction ${tx} is not open`);
}

function run(req: ThreadRequest): Promise<unknown> {
  const done = handle(req);
  done.then(
    (result) => reply({ id: req.id, ok: true, result }, result instanceof ArrayBuffer ? [result] : []),
    (err: unknown) => reply({ id: req.id, ok: false, error: toThreadError(err) }),
  );
  return done;
}

// Scheduling. PGlite runs one statement or transaction at a time; left to its own mutex that is first come, first
// served, so an ingest batch (what providers wait on for their 2xx) queued behind every worker's reads. Here the
// work outside transactions waits in two queues and goes to PGlite one piece at a time: urgent first (a `call`
// marked so: the ingest batch), but the rest gets as much time as urgent work took whenever both
// wait, so neither starves. Statements of an open transaction, and its end, go at once.
const waiting = { urgent: [] as ThreadRequest[], normal: [] as ThreadRequest[] };
let running = false;
let normalCreditMs = 0;

function pump(): void {
  if (running) return;
  // PGlite's work is synchronous WebAssembly: while it ran, requests piled up in the port unseen. Take them all
  // now, so the choice below is among everything that waits.
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) accept(m.message as ThreadRequest, false);
  const { urgent, normal } = waiting;
  const req = normal.length > 0 && (urgent.length === 0 || normalCreditMs > 0) ? normal.shift() : urgent.shift();
  if (!req) return;
  running = true;
  const started = performance.now();
  const finished = () => {
    const ms = performance.now() - started;
    normalCreditMs = isUrgent(req) ? normalCreditMs + ms : Math.max(0, normalCreditMs - ms);
    running = false;
    pump();
  };
  const done = run(req);
  if (req.op === 'begin') {
    // Busy until the transaction it opened ends.
    done.then((tx) => txs.get(tx as number)?.settled ?? undefined).then(finished, finished);
  } else {
    done.then(finished, finished);
  }
}

const isUrgent = (req: ThreadRequest) => req.op === 'call' && req.urgent;

function accept(req: ThreadRequest, thenPump: boolean): void {
  if ((req.op === 'query' && req.tx !== undefined) || req.op === 'end') void run(req).catch(() => {});
  else {
    (isUrgent(req) ? waiting.urgent : waiting.normal).push(req);
    if (thenPump) pump();
  }
  if (req.op === 'close') port.unref();
}

port.on('message', (req: ThreadRequest) => accept(req, true));
port.postMessage({ ready: true });
