import type { CacheNotices } from './cache-notices.ts';

// A process-local read-through cache of rows by id, dropped on a change notice (cache-notices.ts) and expired
// after `ttlMs` in any case. Only found rows are kept: unknown ids (a scanner's guesses) fill nothing.

export class RowCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  /** Bumped by every notice: a read that started before one must not store what it read (it may be stale). */
  #epoch = 0;

  constructor(
    private readonly name: string,
    private readonly notices: CacheNotices,
    private readonly ttlMs = 30_000,
    private readonly max = 1000,
  ) {
    notices.on(name, (key) => this.#drop(key), () => this.#drop());
  }

  async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.#entries.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const epoch = this.#epoch;
    const [listening, value] = await Promise.all([this.notices.listening(), load()]);
    if (value !== undefined && listening && this.#epoch === epoch) {
      this.#entries.delete(key);
      this.#entries.set(key, { value, until: Date.now() + this.ttlMs });
      if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value!);
    }
    return value;
  }

  /** After a committed change: every process drops the key. */
  changed(key: string): Promise<void> {
    return this.notices.publish(this.name, key);
  }

  /** One key, or everything (after a reconnect: notices may have been missed). */
  #drop(key?: string): void {
    if (key === undefined) this.#entries.clear();
    else this.#entries.delete(key);
    this.#epoch++;
  }
}
