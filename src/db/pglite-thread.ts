import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Results } from '@electric-sql/pglite';
import { type ThreadInit, type ThreadReply, type ThreadRequest } from './pglite-thread-protocol.ts';

// The embedded database in a thread of its own (pglite-thread-main.ts). This is the server thread's half: the
// subset of PGlite's client that drizzle-orm/pglite calls (`query` with a row mode and pass-through parsers,
// `transaction`), each call a message. Issue 17 measured PGlite's JavaScript and WebAssembly at ~57 % of the busy
// time of a webhook burst, all of it on the event loop: while a batch committed, no request was read.

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;
type Request = Distribute<ThreadRequest>;
interface QueryOptions {
  rowMode?: 'array' | 'object';
  parsers?: Record<number, unknown>;
}

export interface ThreadQueryable {
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
}

/** A database error as the driver would have thrown it: same message and fields (`code`, `constraint`…). */
class ThreadDatabaseError extends Error {
  constructor(name: string, message: string, fields: Record<string, unknown>) {
    super(message);
    this.name = name;
    Object.assign(this, fields);
  }
}

/**
 * The thread's entry. From dist/ it is the compiled JS. From the sources (tests, `tsx`) it is TypeScript: a worker
 * does not inherit the loader of the thread that made it (vitest's, for one), so a two-line script registers tsx's
 * loader in the new thread first (tsx's `register()`, tsx.is/dev-api/register-esm) and then imports the entry.
 */
function threadEntry(): [string | URL, { eval?: boolean }] {
  if (!import.meta.url.endsWith('.ts')) return [new URL('./pglite-thread-main.js', import.meta.url), {}];
  // The ESM build of tsx's API, by its package's exports map (require.resolve would give the CJS one).
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsx = pathToFileURL(join(dirname(pkg), 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./pglite-thread-main.ts', import.meta.url).href;
  return [`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { eval: true }];
}

export class PgliteThreadClient implements ThreadQueryable {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | undefined;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.on('message', (msg: ThreadReply) => this.settle(msg));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`the database thread exited (code ${code})`)));
  }

  /** Starts the thread and waits until its PGlite is open (the data dir loaded or created). */
  static async start(init: ThreadInit): Promise<PgliteThreadClient> {
    const [entry, options] = threadEntry();
    const worker = new Worker(entry, { ...options, workerData: init, transferList: init.load ? [init.load] : [] });
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`the database thread exited while opening (code ${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', () => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        resolve();
      });
    });
    return new PgliteThreadClient(worker);
  }

  query<T>(sql: string, params: unknown[] = [], options: QueryOptions = {}, tx?: number): Promise<Results<T>> {
    // drizzle passes identity parsers (timestamps, dates, intervals and their arrays stay strings); functions do
    // not cross threads, so their type ids do and the thread installs the same identity parsers.
    const rawTypes = Object.keys(options.parsers ?? {}).map(Number);
    const request: Request = { op: 'query', sql, params, rowMode: options.rowMode ?? 'object', rawTypes };
    return this.call(tx === undefined ? request : { ...request, tx }) as Promise<Results<T>>;
  }

  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws (as PGlite's own). */
  async transaction<T>(fn: (tx: ThreadQueryable) => Promise<T>): Promise<T> {
    const txId = (await this.call({ op: 'begin' })) as number;
    const tx: ThreadQueryable = { query: (sql, params, options) => this.query(sql, params, options, txId) };
    let result: T;
    try {
      result = await fn(tx);
    } catch (err) {
      await this.call({ op: 'end', tx: txId, commit: false }).catch(() => {});
      throw err;
    }
    await this.call({ op: 'end', tx: txId, commit: true });
    return result;
  }

  /**
   * Runs `fn` of `module` (a URL) in the database thread, as `fn(db, ...args)` with a drizzle Db of its own: all
   * its statements without a round trip to this thread. Plain data in and out. `urgent`: before queued work.
   */
  near<T>(module: string, fn: string, args: unknown[], opts: { urgent?: boolean } = {}): Promise<T> {
    return this.call({ op: 'call', module, fn, args, urgent: opts.urgent ?? false }) as Promise<T>;
  }

  migrate = (folder: string) => this.call({ op: 'migrate', folder }).then(() => undefined);
  dump = async () => new Blob([(await this.call({ op: 'dump' })) as ArrayBuffer], { type: 'application/x-gzip' });

  async close(): Promise<void> {
    if (this.failure) return;
    await this.call({ op: 'close' });
    await this.worker.terminate();
  }

  private call(request: Request): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  private settle(msg: ThreadReply): void {
    const waiter = this.pending.get(msg.id);
    if (!waiter) return;
    this.pending.delete(msg.id);
    if (msg.ok) waiter.resolve(msg.result);
    else waiter.reject(new ThreadDatabaseError(msg.error.name, msg.error.message, msg.error.fields));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }
}
