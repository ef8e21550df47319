import { z } from 'zod';

// The single source of queue names and job payloads. Jobs carry ids only; workers reload rows.
export const QUEUE_NAMES = ['turn', 'route', 'dispatch', 'close', 'notify'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const ids = { orgId: z.uuid(), sessionId: z.uuid() };

export const jobSchemas = {
  turn: z.object({ ...ids, messageId: z.uuid() }),
  route: z.object({ ...ids }),
  dispatch: z.object({ ...ids, messageId: z.uuid() }),
  /** `closed`: summarize a closed session. `inactivity`: close it if nothing came after `afterMessageId`. */
  close: z.object({ ...ids, reason: z.enum(['closed', 'inactivity']), afterMessageId: z.uuid().optional() }),
  notify: z.object({ orgId: z.uuid(), eventId: z.uuid(), endpointId: z.uuid() }),
} satisfies Record<QueueName, z.ZodType>;

export type JobData = { [Q in QueueName]: z.infer<(typeof jobSchemas)[Q]> };

/** Deterministic job ids: BullMQ dedupes on them. `:` is forbidden in ids, so only `-`. */
export const jobIds = {
  turn: (d: JobData['turn']) => `turn-${d.messageId}`,
  dispatch: (d: JobData['dispatch']) => `dispatch-${d.messageId}`,
};

/** The key prefix; `{…}` makes it a Redis Cluster hash tag so each queue's keys share a slot. */
export const redisPrefix = (prefix: string) => `{${prefix}}`;
