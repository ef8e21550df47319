import type { Redis } from 'ioredis';
import type { RealtimeSignal } from '../../../src/domain/model/realtime.ts';
import type { Logger } from '../../../src/logger.ts';
import { createRedis } from '../../../src/queue/connection.ts';
import { contactTopic } from '../../../src/realtime/topics.ts';

/** A socket's side: an object, not a closure, so that holding thousands costs no function and context each. */
export interface Listener {
  signal(signal: RealtimeSignal): void;
}

/**
 * One subscriber connection per gateway process, shared by all its sockets: a topic is subscribed while at least
 * one socket listens to it. After Redis comes back, signals sent meanwhile are lost, so every listener is rung
 * once (a doorbell makes a socket re-read its feed, which heals the gap). A topic nearly always has one listener
 * (one visitor, one tab), so it is kept bare and becomes a Set only for the second: an empty Set's table is most
 * of what a held socket costs beyond bare `ws` (bench: heap census in `npm run bench`).
 */
export class RealtimeHub {
  private readonly sub: Redis;
  private readonly listeners = new Map<string, Listener | Set<Listener>>();
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

  /** Listen to a contact's signals, until unsubscribe(contactId, listener). */
  subscribe(contactId: string, listener: Listener): void {
    const topic = contactTopic(this.prefix, contactId);
    const current = this.listeners.get(topic);
    if (current === undefined) {
      this.listeners.set(topic, listener);
      this.sub.subscribe(topic).catch((err: Error) => this.logger.warn({ err: err.message, topic }, 'subscribe failed'));
    } else if (current instanceof Set) current.add(listener);
    else if (current !== listener) this.listeners.set(topic, new Set([current, listener]));
  }

  unsubscribe(contactId: string, listener: Listener): void {
    const topic = contactTopic(this.prefix, contactId);
    const current = this.listeners.get(topic);
    if (current instanceof Set) {
      current.delete(listener);
      if (current.size === 1) this.listeners.set(topic, current.values().next().value!);
      return;
    }
    if (current !== listener) return;
    this.listeners.delete(topic);
    this.sub.unsubscribe(topic).catch(() => {});
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
    const listeners = this.listeners.get(topic);
    if (!listeners) return;
    let signal: RealtimeSignal;
    try {
      signal = JSON.parse(payload) as RealtimeSignal;
    } catch {
      return;
    }
    if (listeners instanceof Set) for (const listener of listeners) listener.signal(signal);
    else listeners.signal(signal);
  }

  private ringAll(): void {
    for (const listeners of this.listeners.values()) {
      if (listeners instanceof Set) for (const listener of listeners) listener.signal({ kind: 'doorbell' });
      else listeners.signal({ kind: 'doorbell' });
    }
  }
}
