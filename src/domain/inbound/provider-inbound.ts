import { and, eq } from 'drizzle-orm';
import type { BlobStore } from '../../blob/blob-store.ts';
import type { Db } from '../../db/client.ts';
import { contactIdentities, contacts, messages, sessions } from '../../db/schema/index.ts';
import { updateContactDetails } from '../contacts/contacts.ts';
import type { ChannelAdapter } from '../model/adapter.ts';
import type { ChannelRegistry } from '../channels/registry.ts';
import type { InboundChannel, SessionResolution } from '../model/channel-server.ts';
import { storeInboundMedia } from '../files/inbound-media.ts';
import { countIngested, type IngestDeps, type IngestResult, type SenderFields, ingest } from './ingest.ts';
import type { AttachmentRef, InboundMessage } from '../model/messages.ts';
import { setOptedOut } from './opt-out.ts';

// Messages an adapter parsed from a provider webhook, into the one sink. A retried webhook (same provider id) is
// found before its media is fetched again, and ingest stores it once whatever happens in between.

export type WebhookChannel = InboundChannel;

export type ProviderInboundDeps = IngestDeps & {
  blobs: BlobStore;
  channels: ChannelRegistry;
  config: IngestDeps['config'] & { secret: string };
};

export async function acceptInbound(
  deps: ProviderInboundDeps,
  channel: WebhookChannel,
  adapter: ChannelAdapter,
  msg: InboundMessage,
): Promise<IngestResult | undefined> {
  // A redelivery (same provider id) is found before anything is fetched, looked up or threaded again. A plain
  // message needs no early look: ingest finds the copy in the same statements that store it (group commit).
  const resolveSession = deps.channels.server(channel.type)?.resolveSession;
  const costly = msg.attachments.length > 0 || (adapter.lookupContact && !msg.from.name) || resolveSession !== undefined;
  const stored = costly ? await storedResult(deps.db, channel, msg.externalId) : undefined;
  if (stored) return countIngested(deps, 'contact', stored);
  const from = await withDirectoryDetails(deps, channel, adapter, msg.from);
  const attachments = msg.attachments.length > 0 ? await storeInboundMedia(adapter, deps.blobs, deps.logger, msg.attachments) : [];
  const base = {
    orgId: channel.orgId,
    contact: { name: from.name, email: from.email, phone: from.phone },
    sender: 'contact' as const,
    externalId: msg.externalId,
    subject: msg.subject,
    text: msg.text,
    html: msg.html,
    raw: msg.raw,
    sentAt: msg.sentAt,
    // Keywords are commands to the channel, not conversation: no AI answer to "STOP".
    noTurn: msg.control !== undefined,
  };
  // A channel that threads by headers (mail) says which session the message belongs to; others are found by sender
  // and provider thread id.
  if (resolveSession) {
    const where = await resolveSession({ db: deps.db, secret: deps.config.secret }, channel, msg);
    return acceptResolved(deps, channel, msg, base, attachments, where);
  }
  const result = await ingest(deps, {
    kind: 'from-channel',
    ...base,
    channel: { id: channel.id, type: channel.type },
    identity: { address: msg.from.address },
    externalThreadId: msg.externalThreadId,
    attachments,
  });
  if (result.duplicate || msg.control === undefined) return result;
  if (msg.control === 'opt_out' || msg.control === 'opt_in') {
    await setOptedOut(deps.db, channel.orgId, result.contactId, channel.type, msg.control === 'opt_out');
  }
  if (msg.autoReply) {
    await ingest(deps, { kind: 'system', orgId: channel.orgId, sessionId: result.sessionId, text: msg.autoReply });
  }
  return result;
}

/** A message whose channel chose its session: into that one, a new one, or none (nothing stored). */
async function acceptResolved(
  deps: ProviderInboundDeps,
  channel: WebhookChannel,
  msg: InboundMessage,
  base: SenderFields,
  attachments: AttachmentRef[],
  where: SessionResolution,
): Promise<IngestResult | undefined> {
  if ('drop' in where) {
    deps.logger.debug({ channelId: channel.id, reason: where.drop }, 'inbound message not stored');
    return undefined;
  }
  // What the message referred to and how it was flagged travel with it; mail no person wrote gets no answer.
  const context = {
    ...(msg.threading ? { references: msg.threading.references } : {}),
    ...(msg.flags?.length ? { flags: msg.flags } : {}),
    ...(msg.automated ? { automated: msg.automated } : {}),
  };
  const input: SenderFields = { ...base, attachments, context, noTurn: base.noTurn || msg.automated !== undefined };
  if ('into' in where) return ingest(deps, { kind: 'into-session', ...input, sessionId: where.into });
  return ingest(deps, {
    kind: 'from-channel',
    ...input,
    channel: { id: channel.id, type: channel.type },
    identity: { address: msg.from.address },
    ...(where.open.externalThreadId ? { externalThreadId: where.open.externalThreadId } : {}),
  });
}

// Slack wants its answer within 3 s; the directory gets a third of that.
const LOOKUP_TIMEOUT_MS = 1000;

/**
 * The sender's name and email from the provider's directory (Slack profiles), asked once per contact: only while
 * we have no name for them. A known contact gets the details on its row; a new one gets them as it is created.
 */
async function withDirectoryDetails(
  deps: ProviderInboundDeps,
  channel: WebhookChannel,
  adapter: ChannelAdapter,
  from: InboundMessage['from'],
): Promise<InboundMessage['from']> {
  if (!adapter.lookupContact || from.name) return from;
  const known = await knownContact(deps.db, channel, from.address);
  if (known?.name) return from;
  const found = await adapter.lookupContact(from.address, AbortSignal.timeout(LOOKUP_TIMEOUT_MS)).catch(() => undefined);
  if (!found) return from;
  if (known) {
    const update = (d: { name?: string | undefined; email?: string | undefined }) =>
      deps.db.transaction((tx) => updateContactDetails(tx, channel.orgId, known.id, d));
    await update({ name: found.name });
    // The email may already be another contact's (one per organization): then this contact simply goes without.
    if (!known.email && found.email) await update({ email: found.email }).catch(() => undefined);
  }
  return { ...from, ...found };
}

async function knownContact(db: Db, channel: WebhookChannel, address: string) {
  const [row] = await db
    .select({ id: contacts.id, name: contacts.name, email: contacts.email })
    .from(contactIdentities)
    .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
    .where(and(eq(contactIdentities.orgId, channel.orgId), eq(contactIdentities.channelType, channel.type), eq(contactIdentities.address, address)))
    .limit(1);
  return row;
}

async function storedResult(db: Db, channel: WebhookChannel, externalId: string): Promise<IngestResult | undefined> {
  const [row] = await db
    .select({ messageId: messages.id, sessionId: messages.sessionId, contactId: sessions.contactId })
    .from(messages)
    .innerJoin(sessions, eq(sessions.id, messages.sessionId))
    .where(and(eq(messages.channelId, channel.id), eq(messages.externalId, externalId)))
    .limit(1);
  return row && { ...row, channel: { id: channel.id, type: channel.type }, duplicate: true, sessionCreated: false };
}
