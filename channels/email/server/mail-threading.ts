import { and, desc, eq, gte, inArray } from 'drizzle-orm';
import type { Db } from '../../../src/db/client.ts';
import { contactIdentities, messages, sessions } from '../../../src/db/schema/index.ts';
import type { InboundMessage } from '../../../src/domain/model/messages.ts';
import { sessionFromReplyToken } from '../../../src/domain/outbound/reply-token.ts';
import type { InboundChannel as WebhookChannel } from '../../../src/domain/model/channel-server.ts';

// Which session a mail belongs to (docs/email.md "Threading"), in order:
// 1. an id in In-Reply-To / References that we sent or received on this channel;
// 2. the verified token of a session's reply address (support+<token>@…);
// 3. the same contact writing about the same subject within SUBJECT_WINDOW_MS;
// otherwise a new session. Subject threading stores the normalized subject as the session's thread id.

export const SUBJECT_WINDOW_MS = 14 * 24 * 3600 * 1000;

/** The thread id a mail session is opened with, so rule 3 can find it. */
export const subjectThreadId = (subjectKey: string) => `subject:${subjectKey}`;

export async function findMailSession(
  db: Db,
  secret: string,
  channel: WebhookChannel,
  msg: InboundMessage,
  now: Date,
): Promise<string | undefined> {
  const hints = msg.threading;
  if (!hints) return undefined;
  if (hints.references.length > 0) {
    const [byRef] = await db
      .select({ sessionId: messages.sessionId })
      .from(messages)
      .where(and(eq(messages.channelId, channel.id), inArray(messages.externalId, hints.references.slice(-50))))
      .orderBy(desc(messages.seq))
      .limit(1);
    if (byRef) return byRef.sessionId;
  }
  const fromToken = hints.replyToken ? sessionFromReplyToken(secret, hints.replyToken) : undefined;
  if (fromToken) {
    const [s] = await db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.id, fromToken), eq(sessions.orgId, channel.orgId), eq(sessions.channelId, channel.id)));
    if (s) return s.id;
  }
  if (hints.subjectKey) {
    const [s] = await db
      .select({ id: sessions.id })
      .from(sessions)
      .innerJoin(contactIdentities, eq(contactIdentities.contactId, sessions.contactId))
      .where(
        and(
          eq(sessions.channelId, channel.id),
          eq(sessions.externalThreadId, subjectThreadId(hints.subjectKey)),
          eq(contactIdentities.orgId, channel.orgId),
          eq(contactIdentities.channelType, channel.type),
          eq(contactIdentities.address, msg.from.address),
          gte(sessions.lastMessageAt, new Date(now.getTime() - SUBJECT_WINDOW_MS)),
        ),
      )
      .orderBy(desc(sessions.lastMessageAt))
      .limit(1);
    if (s) return s.id;
  }
  return undefined;
}
