import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { events, messages } from '../../db/schema/index.ts';
import type { DeliveryStatus } from '../model/enums.ts';
import type { DeliveryUpdate } from '../model/messages.ts';

// Providers report delivery out of order, more than once, and sometimes before our send call has returned:
// a status only ever moves forward. failed and undelivered are terminal, and may follow sent
// (a carrier gave up) but never a delivered or read message.

const RANK: Record<DeliveryStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3, undelivered: 4, failed: 4 };
const TERMINAL_FAILURE = new Set<DeliveryStatus>(['undelivered', 'failed']);

/** Whether a message now at `from` may move to `to`. */
export function advances(from: DeliveryStatus | null, to: DeliveryStatus): boolean {
  if (from === null) return true;
  if (TERMINAL_FAILURE.has(from)) return false;
  if (TERMINAL_FAILURE.has(to)) return from === 'queued' || from === 'sent';
  return RANK[to] > RANK[from];
}

type Row = { id: string; orgId: string; sessionId: string; deliveryStatus: DeliveryStatus | null; externalId: string | null };

/** Moves the message forward (or only records its provider id) in `tx`; an event when the status changed. */
export async function moveDelivery(
  tx: Tx,
  row: Row,
  update: { status: DeliveryStatus; externalId?: string | null | undefined; error?: string | null | undefined },
): Promise<boolean> {
  const moves = advances(row.deliveryStatus, update.status);
  const externalId = row.externalId ?? update.externalId ?? null;
  if (!moves) {
    if (externalId !== row.externalId) await tx.update(messages).set({ externalId }).where(eq(messages.id, row.id));
    return false;
  }
  const error = TERMINAL_FAILURE.has(update.status) ? (update.error ?? null) : null;
  await tx.update(messages).set({ deliveryStatus: update.status, externalId, error }).where(eq(messages.id, row.id));
  await tx.insert(events).values({
    orgId: row.orgId,
    sessionId: row.sessionId,
    type: 'message.status',
    data: { session_id: row.sessionId, message_id: row.id, status: update.status, error },
  });
  return true;
}

const columns = {
  id: messages.id,
  orgId: messages.orgId,
  sessionId: messages.sessionId,
  deliveryStatus: messages.deliveryStatus,
  externalId: messages.externalId,
};

/**
 * Status callbacks of one channel. A message is found by our id when the provider echoes it (it may arrive before
 * the send's receipt stored the provider id), else by the provider id. Unknown ids are ignored: not ours, or long
 * gone. Returns how many messages changed.
 */
export async function applyDeliveryUpdates(db: Db, channelId: string, updates: readonly DeliveryUpdate[]): Promise<number> {
  let changed = 0;
  for (const u of updates) {
    const moved = await db.transaction(async (tx) => {
      const byOurs = u.messageId && /^[0-9a-f-]{36}$/i.test(u.messageId) ? eq(messages.id, u.messageId) : undefined;
      const [row] = await tx
        .select(columns)
        .from(messages)
        .where(and(eq(messages.channelId, channelId), eq(messages.direction, 'out'), byOurs ?? eq(messages.externalId, u.externalId)))
        .for('update');
      if (!row) return false;
      const error = u.error ?? (u.providerCode ? `provider error ${u.providerCode}` : null);
      return moveDelivery(tx, row, { status: u.status, externalId: u.externalId, error });
    });
    if (moved) changed += 1;
  }
  return changed;
}
