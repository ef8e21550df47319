import { and, eq, isNull } from 'drizzle-orm';
import type { SecretBox } from '../../../src/crypto/secret-box.ts';
import type { ChannelRegistry } from '../../../src/domain/channels/registry.ts';
import type { Db } from '../../../src/db/client.ts';
import { channels } from '../../../src/db/schema/index.ts';
import type { AdapterDeps, MailEnvelope } from '../../../src/domain/model/adapter.ts';
import { buildAdapter } from '../../../src/domain/channels/channel-adapter.ts';
import { openChannelConfig } from '../../../src/domain/channels/channel-config.ts';
import { acceptInbound, type ProviderInboundDeps, type WebhookChannel } from '../../../src/domain/inbound/provider-inbound.ts';

// Mail from core's own transports (the SMTP listener, IMAP polling): the channel's adapter parses the raw message,
// and it goes through the same acceptance as every provider message. Resolves once the mail is durable: the SMTP
// listener answers 250 only then, and IMAP marks the mail seen only then.

export type MailDeps = ProviderInboundDeps & { secrets: SecretBox; adapterDeps: AdapterDeps };
export type MailChannel = WebhookChannel & { address: string };
type ChannelRow = typeof channels.$inferSelect;

export async function acceptMail(
  deps: MailDeps,
  channel: MailChannel,
  raw: Uint8Array,
  envelope: MailEnvelope,
): Promise<{ outcome: 'stored' | 'duplicate' | 'ignored'; messageId?: string }> {
  const row = await liveEmailChannel(deps.db, channel.id);
  const adapter = row ? buildAdapter(deps, row) : undefined;
  if (!adapter?.parseMail) return { outcome: 'ignored' };
  const parsed = await adapter.parseMail(raw, envelope);
  if (parsed.type !== 'messages' || parsed.messages.length === 0) return { outcome: 'ignored' };
  let last: { outcome: 'stored' | 'duplicate' | 'ignored'; messageId?: string } = { outcome: 'ignored' };
  for (const msg of parsed.messages) {
    const result = await acceptInbound(deps, channel, adapter, msg);
    last = result ? { outcome: result.duplicate ? 'duplicate' : 'stored', messageId: result.messageId } : { outcome: 'ignored' };
  }
  return last;
}

/** `local@domain` or `local+tag@domain` → the enabled email channel with that support address. */
export async function findMailChannelByAddress(db: Db, address: string): Promise<MailChannel | undefined> {
  const at = address.lastIndexOf('@');
  if (at < 1) return undefined;
  const local = address.slice(0, at).split('+')[0]!;
  const wanted = `${local}@${address.slice(at + 1)}`.toLowerCase();
  const rows = await liveEmailChannels(db);
  const row = rows.find((r) => String(r.config.address ?? '').toLowerCase() === wanted);
  return row && { id: row.id, orgId: row.orgId, type: row.type, address: wanted };
}

/** Enabled email channels with IMAP settings, decrypted, for the poller. */
export async function listImapChannels(deps: { db: Db; secrets: SecretBox; channels: ChannelRegistry }) {
  const rows = await liveEmailChannels(deps.db);
  return rows.flatMap((row) => {
    const module = deps.channels.adapterFor(row.type, row.provider);
    if (!module) return [];
    const config = openChannelConfig(module, deps.secrets, row) as { address: string; imap?: ImapSettings };
    return config.imap ? [{ id: row.id, orgId: row.orgId, type: row.type, address: config.address, imap: config.imap }] : [];
  });
}

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  mailbox: string;
  poll_seconds: number;
  tls_reject_unauthorized: boolean;
}

const liveEmailChannels = (db: Db): Promise<ChannelRow[]> =>
  db.select().from(channels).where(and(eq(channels.type, 'email'), eq(channels.enabled, true), isNull(channels.deletedAt)));

async function liveEmailChannel(db: Db, id: string): Promise<ChannelRow | undefined> {
  const [row] = await db.select().from(channels).where(and(eq(channels.id, id), eq(channels.enabled, true), isNull(channels.deletedAt)));
  return row;
}
