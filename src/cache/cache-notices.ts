import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { createRedis } from '../queue/connection.ts';

// "This row changed": a Redis PUBLISH that every process's caches hear, so an admin's change (a channel disabled,
// its secret rotated) takes effect everywhere at once rather than when an entry expires. One subscriber connection
// per process, opened when a cache first wants it. A notice sent while a process was cut off from Redis is lost,
// so on every reconnect the caches drop everything; their TTL is the last net (a CLI that has no Redis).

type Listener = (key: string) => void;

export class CacheNotices {
  #sub: Redis | undefined;
  #subscribed: Promise<boolean> | undefined;
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #resets = new Set<() => void>();
  readonly #topic: string;

  constructor(
    private readonly redisUrl: string,
    private readonly producer: Redis,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.#topic = `${prefix}:cache-notices`;
  }

  /** Resolves true once notices are heard (caches may keep entries from then on); false if Redis is unreachable. */
  listening(): Promise<boolean> {
    this.#subscribed ??= this.#subscribe();
    return this.#subscribed;
  }

  on(cache: string, listener: Listener, reset: () => void): void {
    let set = this.#listeners.get(cache);
    if (!set) this.#listeners.set(cache, (set = new Set()));
    set.add(listener);
    this.#resets.add(reset);
  }

  /** Tells every process (this one included) that `key` of `cache` changed. Never throws: the TTL covers a loss. */
  async publish(cache: string, key: string): Promise<void> {
    this.#deliver(JSON.stringify({ cache, key })); // at once here, whatever Redis does
    await this.producer.publish(this.#topic, JSON.stringify({ cache, key })).catch((err: Error) => {
      this.logger.warn({ err: err.message, cache, key }, 'cache notice not sent; other processes see the change when their entry expires');
    });
  }

  async close(): Promise<void> {
    this.#sub?.disconnect();
  }

  async #subscribe(): Promise<boolean> {
    const sub = (this.#sub = createRedis(this.redisUrl, 'worker'));
    let connectedBefore = false;
    sub.on('error', (err: Error) => this.logger.debug({ err: err.message }, 'cache notice subscriber error'));
    sub.on('ready', () => {
      if (connectedBefore) for (const reset of this.#resets) reset();
      connectedBefore = true;
    });
    sub.on('message', (_topic: string, payload: string) => this.#deliver(payload));
    try {
      await sub.subscribe(this.#topic);
      return true;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'cache notices unavailable; caches keep nothing');
      return false;
    }
  }

  #deliver(payload: string): void {
    try {
      const { cache, key } = JSON.parse(payload) as { cache: string; key: string };
      for (const listener of this.#listeners.get(cache) ?? []) listener(key);
    } catch {
      // not ours
    }
  }
}
