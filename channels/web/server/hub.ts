import type { Redis } from 'ioredis';
import type { RealtimeSignal } from '../../../src/domain/model/realtime.ts';
import type { Logger } from '../../../src/logger.ts';
import { createRedis } from '../../../src/queue/connection.ts';
import { contactTopic } from '../../../src/realtime/topics.ts';

type Listener = (signal: RealtimeSignal) => void;

/**
 * One subscriber connection per gateway process, shared by all its sockets: a topic is subscribed while at least
 * one socket listens to it. After Redis comes back, signals sent meanwhile are lost, so every listener is rung
 * once (a doorbell makes a socket re-read its feed, which heals the gap).
 */
export class RealtimeHub {
  private readonly sub: Redis;
  private readonly listeners = new Map<string, Set<Listener>>();
  private connectedBefore = false;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.sub = createRedis(redisUrl, 'worker');
    this.sub.on('error', (err: Error) => logger.debug({ err: err.message }, 'realtime subscriber error'));
    this.sub.on('ready', () => {
      if (this.connectedBefore) this.ringAll();
      this.connectedBefore = true;
    });
    this.sub.on('message', (topic: string, payload: string) => this.deliver(topic, payload));
  }

  /** Listen to a contact's signals; the returned function stops listening. */
  subscribe(contactId: string, listener: Listener): () => void {
    const topic = contactTopic(this.prefix, contactId);
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
      this.sub.subscribe(topic).catch((err: Error) => this.logger.warn({ err: err.message, topic }, 'subscribe failed'));
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(topic);
      if (!current?.delete(listener) || current.size > 0) return;
      this.listeners.delete(topic);
      this.sub.unsubscribe(topic).catch(() => {});
    };
  }

  /** Topics this process listens to (for the benchmark and health). */
  get topicCount(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.sub.disconnect();
  }

  private deliver(topic: string, payload: string): void {
    const set = this.listeners.get(topic);
    if (!set) return;
    let signal: RealtimeSignal;
    try {
      signal = JSON.parse(payload) as RealtimeSignal;
    } catch {
      return;
    }
    for (const listener of set) listener(signal);
  }

  private ringAll(): void {
    for (const set of this.listeners.values()) for (const listener of set) listener({ kind: 'doorbell' });
  }
}
