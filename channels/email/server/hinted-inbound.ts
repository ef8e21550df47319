import { and, eq, inArray, or } from 'drizzle-orm';
import type { Db } from '../../../src/db/client.ts';
import { events, messages } from '../../../src/db/schema/index.ts';
import { moveDelivery } from '../../../src/domain/outbound/delivery-status.ts';
import { type IngestResult, type SenderFields, ingest } from '../../../src/domain/inbound/ingest.ts';
import { findMailSession, subjectThreadId } from './mail-threading.ts';
import type { AttachmentRef, InboundMessage } from '../../../src/domain/model/messages.ts';
import type { ProviderInboundDeps, WebhookChannel } from '../../../src/domain/inbound/provider-inbound.ts';

// A message whose session is found from hints (email): threading rules pick the session; mail no person wrote
// (auto-replies, bounces, lists, our own) is kept in its thread without an answer and never opens a session; a
// bounce also fails the message it reports on.

export async function acceptHinted(
  deps: ProviderInboundDeps,
  channel: WebhookChannel,
  msg: InboundMessage,
  base: SenderFields,
  attachments: AttachmentRef[],
): Promise<IngestResult | undefined> {
  const now = new Date();
  // A bounce belongs with the message it reports on, whatever its own headers say.
  const bounced = msg.bounce ? await applyBounce(deps.db, channel, msg.bounce) : undefined;
  const sessionId = bounced ?? (await findMailSession(deps.db, deps.config.secret, channel, msg, now));
  const context = { ...(msg.threading ? { references: msg.threading.references } : {}), ...(msg.flags?.length ? { flags: msg.flags } : {}), ...(msg.automated ? { automated: msg.automated } : {}) };
  const input: SenderFields = {
    ...base,
    attachments,
    context,
    noTurn: base.noTurn || msg.automated !== undefined,
  };
  if (sessionId) return ingest(deps, { kind: 'into-session', ...input, sessionId });
  if (msg.automated) {
    // Nothing to attach it to, and it must not start a conversation: logged for the admin, not a session.
    await deps.db.insert(events).values({
      orgId: channel.orgId,
      type: 'mail.automated_unthreaded',
      data: { channel_id: channel.id, kind: msg.automated, external_id: msg.externalId, from: msg.from.address, subject: msg.subject ?? null },
    });
    return undefined;
  }
  const key = msg.threading?.subjectKey;
  return ingest(deps, {
    kind: 'from-channel',
    ...input,
    channel: { id: channel.id, type: channel.type },
    identity: { address: msg.from.address },
    ...(key ? { externalThreadId: subjectThreadId(key) } : {}),
  });
}

/**
 * A delivery report: the outbound message it names (VERP id, else its Message-ID) fails with the reason when the
 * report says it failed (`delayed` is not a failure). Returns that message's session.
 */
async function applyBounce(db: Db, channel: WebhookChannel, bounce: NonNullable<InboundMessage['bounce']>): Promise<string | undefined> {
  const ids = bounce.originalIds.filter((id) => id.length > 0);
  const byOurId = bounce.messageId && /^[0-9a-f-]{36}$/i.test(bounce.messageId) ? eq(messages.id, bounce.messageId) : undefined;
  const byHeader = ids.length ? inArray(messages.externalId, ids) : undefined;
  if (!byOurId && !byHeader) return undefined;
  const reason = ['bounced:', bounce.status, bounce.diagnostic].filter(Boolean).join(' ');
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: messages.id, orgId: messages.orgId, sessionId: messages.sessionId, deliveryStatus: messages.deliveryStatus, externalId: messages.externalId })
      .from(messages)
      .where(and(eq(messages.channelId, channel.id), eq(messages.direction, 'out'), or(byOurId, byHeader)))
      .for('update');
    if (bounce.action === 'failed') {
      // Our relay accepting the mail was not delivery: the recipient's server had the last word.
      for (const row of rows) {
        await moveDelivery(tx, { ...row, deliveryStatus: row.deliveryStatus === 'delivered' ? 'sent' : row.deliveryStatus }, { status: 'failed', error: reason });
      }
    }
    return rows[0]?.sessionId;
  });
}
