import type { Redis } from 'ioredis';
import type { RealtimePublisher, RealtimeSignal } from '../domain/model/realtime.ts';
import { contactTopic } from './topics.ts';

/** PUBLISH on the producer connection: fails fast while Redis is down, so a dispatch retries instead of hanging. */
export function createRealtimePublisher(redis: Redis, prefix: string): RealtimePublisher {
  return {
    toContact: (contactId: string, signal: RealtimeSignal) =>
      redis.publish(contactTopic(prefix, contactId), JSON.stringify(signal)),
  };
}
