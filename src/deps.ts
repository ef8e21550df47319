import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { BlobStore } from './blob/blob-store.ts';
import { createLocalBlobStore } from './blob/local-blob-store.ts';
import type { Config } from './config.ts';
import { SecretBox } from './crypto/secret-box.ts';
import type { Database, Db } from './db/client.ts';
import type { AdapterDeps } from './domain/model/adapter.ts';
import { createAttachmentLoader } from './domain/files/attachment-loader.ts';
import { IngestBatcher } from './domain/inbound/ingest-batch.ts';
import { EnqueuedMarker } from './domain/relays/outbox.ts';
import { ApiKeyResolver } from './http/middleware/auth.ts';
import type { Logger } from './logger.ts';
import { registerBacklogGauges } from './metrics/backlog-gauges.ts';
import { createMetrics, type Metrics } from './metrics/metrics.ts';
import { createAddressPolicy } from './net/address-policy.ts';
import { createOutboundClient, type OutboundClient } from './net/guarded-fetch.ts';
import { createRedis } from './queue/connection.ts';
import { CacheNotices } from './cache/cache-notices.ts';
import { createLiveChannels, type LiveChannels } from './domain/channels/live-channels.ts';
import { createRealtimePublisher } from './realtime/publisher.ts';
import { RateLimiter } from './redis/rate-limit.ts';
import { channelRegistry } from '../channels/registry.ts';
import type { ChannelRegistry } from './domain/channels/registry.ts';
import { closeQueues, createQueues, type Queues } from './queue/queues.ts';

/** Everything a route, worker or relay needs, built once and passed down (never imported as globals). */
export interface Deps {
  config: Config;
  logger: Logger;
  database: Database;
  db: Db;
  /** Producer connection: fails fast while Redis is down. */
  redis: Redis;
  redisUrl: string;
  queues: Queues;
  secrets: SecretBox;
  keys: ApiKeyResolver;
  marker: EnqueuedMarker;
  /** Group commit for messages into known sessions (src/domain/inbound/ingest-batch.ts). */
  batcher: IngestBatcher;
  /** Attachment bytes; `attachments.blob_key` names them. */
  blobs: BlobStore;
  adapterDeps: AdapterDeps;
  /** The one way out to URLs users, agents, admins or customers chose (webhook endpoints, the AI, attachments). */
  outbound: OutboundClient;
  /** Counters shared by every process (widget rate limits). */
  limiter: RateLimiter;
  /** The channels this installation has (channels/registry.ts): core asks it, and never names a channel. */
  channels: ChannelRegistry;
  /** This process's Prometheus registry and instruments (GET /metrics). */
  metrics: Metrics;
  /** Change notices between processes' caches (src/cache/cache-notices.ts). */
  notices: CacheNotices;
  /** Channels by id for provider webhooks, dropped on change (src/domain/channels/live-channels.ts). */
  liveChannels: LiveChannels;
  /** Set when shutdown begins: /readyz answers 503 from then on, so a balancer stops sending work here. */
  lifecycle: { draining: boolean };
}

export function createDeps(config: Config, logger: Logger, database: Database, redisUrl: string): Deps {
  const redis = createRedis(redisUrl, 'producer');
  // Without a listener ioredis prints every reconnect failure; readiness reports Redis health instead.
  const onRedisError = (err: Error) => logger.debug({ err: err.message }, 'redis connection error');
  redis.on('error', onRedisError);
  const queues = createQueues(redis, config.queuePrefix, onRedisError);
  const marker = new EnqueuedMarker(database.db, logger);
  const secrets = new SecretBox(config.secret);
  // PGlite is one connection: one batch at a time. A PostgreSQL pool takes a few at once.
  const batchesInFlight = database.kind === 'pglite' ? 1 : 4;
  const blobs = createLocalBlobStore(join(config.dataDir, 'blobs'));
  const outbound = createOutboundClient({ policy: createAddressPolicy(config.outbound.allowCidrs) });
  const metrics = createMetrics();
  const notices = new CacheNotices(redisUrl, redis, config.queuePrefix, logger);
  registerBacklogGauges(metrics, { queues, db: database.db, logger });
  return {
    config,
    logger,
    database,
    db: database.db,
    redis,
    redisUrl,
    queues,
    secrets,
    keys: new ApiKeyResolver(database.db),
    marker,
    batcher: new IngestBatcher({ database, config, queues, marker, logger }, batchesInFlight),
    blobs,
    outbound,
    adapterDeps: {
      fetch: globalThis.fetch,
      loadAttachment: createAttachmentLoader({ blobs, fetch: outbound.fetch }),
      now: () => new Date(),
      publicUrl: config.publicUrl,
      realtime: createRealtimePublisher(redis, config.queuePrefix),
    },
    limiter: new RateLimiter(redis, config.queuePrefix),
    channels: channelRegistry,
    metrics,
    notices,
    liveChannels: createLiveChannels(notices),
    lifecycle: { draining: false },
  };
}

/** Closes what createDeps opened (not the database, which the caller opened). */
export async function closeDeps(deps: Deps): Promise<void> {
  await deps.marker.flush();
  await closeQueues(deps.queues);
  await deps.notices.close();
  deps.redis.disconnect();
  await deps.outbound.close().catch(() => {});
}
