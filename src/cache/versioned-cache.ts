// A process-local cache of values the database can tell the version of (an aggregate over the rows, read in a
// query the caller makes anyway): a hit costs no query, and a change made by any process, a CLI or SQL by hand is
// seen at the next read. Bounded: least recently used out first.

export class VersionedCache<V> {
  readonly #entries = new Map<string, { version: string; value: V }>();

  constructor(private readonly max = 256) {}

  /** The value stored for `key` at `version`, else what `load` gives (then stored). */
  async get(key: string, version: string, load: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit && hit.version === version) {
      this.#entries.delete(key); // re-insert: Map order is the LRU order
      this.#entries.set(key, hit);
      return hit.value;
    }
    const value = await load();
    this.#entries.delete(key);
    this.#entries.set(key, { version, value });
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value!);
    return value;
  }
}
