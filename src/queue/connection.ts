import { Redis, type RedisOptions } from 'ioredis';

/**
 * Two kinds of connection, as BullMQ's production guide says:
 * - producers fail fast (no offline queue) so a Redis outage never stalls an HTTP request: the relay catches up;
 * - workers wait forever (maxRetriesPerRequest: null) so a blip never kills a worker.
 */
export function createRedis(url: string, role: 'producer' | 'worker' | 'plain'): Redis {
  const opts: RedisOptions = {
    lazyConnect: false,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  };
  if (role === 'producer') Object.assign(opts, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  if (role === 'worker') Object.assign(opts, { maxRetriesPerRequest: null });
  return new Redis(url, opts);
}
