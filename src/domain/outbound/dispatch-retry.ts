import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { channels, messages } from '../../db/schema/index.ts';
import { AppError, ConflictError, NotFoundError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { jobIds } from '../../queue/names.ts';
import type { Queues } from '../../queue/queues.ts';
import { type EnqueuedMarker, enqueueCommitted } from '../relays/outbox.ts';

// A reply whose dispatch failed for good (attempts used up, or a `never` error) can be sent again on request.
// The old BullMQ job is removed first — a retained job with the same id would swallow the new one — then the
// message is queued again and its job added (the relay adds it if Redis drops it meanwhile).

export async function retryDispatch(
  deps: { db: Db; queues: Queues; marker: EnqueuedMarker; logger: Logger },
  orgId: string,
  sessionId: string,
  messageId: string,
): Promise<void> {
  const [msg] = await deps.db
    .select({ id: messages.id, direction: messages.direction, private: messages.private, status: messages.deliveryStatus, channel: channels.type })
    .from(messages)
    .innerJoin(channels, eq(channels.id, messages.channelId))
    .where(and(eq(messages.orgId, orgId), eq(messages.sessionId, sessionId), eq(messages.id, messageId)));
  if (!msg) throw new NotFoundError('Message');
  if (msg.direction !== 'out' || msg.private || msg.status !== 'failed') {
    throw new ConflictError('Only a reply whose delivery failed can be retried');
  }
  const data = { orgId, sessionId, messageId };
  try {
    await (await deps.queues.dispatch.getJob(jobIds.dispatch(data)))?.remove();
  } catch (err) {
    throw new AppError('SERVICE_UNAVAILABLE', 'The queue is unavailable; try again shortly', undefined, { cause: err });
  }
  await deps.db
    .update(messages)
    .set({ deliveryStatus: 'queued', error: null, jobEnqueuedAt: null, jobSweptAt: null, sendingAt: null })
    .where(eq(messages.id, messageId));
  await enqueueCommitted(deps, [{ queue: 'dispatch', ...data, channel: msg.channel }]);
}
