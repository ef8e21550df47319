import { eq } from 'drizzle-orm';
import type { Deps } from '../../../src/deps.ts';
import type { CustomData } from '../../../src/domain/contacts/custom-data.ts';
import { ingest } from '../../../src/domain/inbound/ingest.ts';
import { messages } from '../../../src/db/schema/index.ts';
import { AppError } from '../../../src/errors.ts';
import type { RateLimiter } from '../../../src/redis/rate-limit.ts';
import { storeUploads } from './uploads.ts';
import type { Visitor } from './visitors.ts';
import type { WebChannel } from './web-channel.ts';
import { checkMessageRate } from './widget-limits.ts';
import { visitorExternalId } from './widget-message.ts';

// A visitor's message, from the socket or the upload endpoint: limits, then its files into the blob store (so a
// refused message writes nothing), then the one ingest path, then a doorbell so the visitor's other tabs (on any
// gateway process) show it too.

export interface VisitorMessage {
  clientMsgId: string;
  text: string;
  /** Files of a multipart message, not yet checked or stored. */
  files?: readonly File[];
  customData?: CustomData | undefined;
  ip?: string | undefined;
}

export interface Ack {
  client_msg_id: string;
  id: string;
  seq: number;
  session_id: string;
}

export type AcceptDeps = Pick<Deps, 'db' | 'config' | 'queues' | 'logger' | 'marker' | 'batcher' | 'adapterDeps' | 'blobs' | 'metrics'> & {
  limiter: RateLimiter;
};

export async function acceptVisitorMessage(deps: AcceptDeps, channel: WebChannel, visitor: Visitor, m: VisitorMessage): Promise<Ack> {
  const text = m.text.trim();
  if (text.length > channel.config.max_text_length) {
    throw new AppError('BAD_REQUEST', `The message is ${text.length} characters; the limit is ${channel.config.max_text_length}`);
  }
  if (!text && !m.files?.length) throw new AppError('BAD_REQUEST', 'The message is empty');
  // PostgreSQL text cannot hold NUL: the visitor's mistake, not a failure worth retrying.
  if (text.includes('\u0000')) throw new AppError('BAD_REQUEST', 'The message contains a NUL character, which cannot be stored');
  await checkMessageRate(deps, channel, visitor, m.ip);
  const attachments = await storeUploads(deps.blobs, m.files ?? [], channel.config.files);
  const result = await ingest(deps, {
    kind: 'from-channel',
    orgId: channel.orgId,
    channel: { id: channel.id, type: 'web' },
    contactId: visitor.contactId,
    sender: 'contact',
    externalId: visitorExternalId(visitor.contactId, m.clientMsgId),
    text,
    attachments,
    sessionCustomData: m.customData,
  });
  const [row] = await deps.db.select({ seq: messages.seq }).from(messages).where(eq(messages.id, result.messageId));
  // Best effort: the sender's own socket gets the ack, and other tabs heal on their next doorbell or reconnect.
  await deps.adapterDeps.realtime
    .toContact(visitor.contactId, { kind: 'doorbell' })
    .catch((err: Error) => deps.logger.warn({ err: err.message }, 'doorbell failed'));
  return { client_msg_id: m.clientMsgId, id: result.messageId, seq: row!.seq, session_id: result.sessionId };
}
