import type { DeliveryStatus } from '../../../src/domain/model/enums.ts';
import type { DeliveryUpdate } from '../../../src/domain/model/messages.ts';
import type { MetaStatus } from './webhook-schema.ts';

// statuses[] → DeliveryUpdate. A free-form send outside the 24-hour window is accepted (200 + wamid) and fails
// here, asynchronously, with 131047: it becomes `window_closed`, the reason core acts on (template fallback).

export const WINDOW_CLOSED_CODE = 131047;
export const WINDOW_CLOSED_ERROR = 'window_closed: more than 24 hours since the customer last wrote; send an approved template';

const STATUSES: Record<string, DeliveryStatus> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed' };

/** null for statuses we do not track (Meta also reports e.g. `deleted`, `warning`). */
export function toDeliveryUpdate(s: MetaStatus): DeliveryUpdate | null {
  const update = statusOf(s);
  return update && s.biz_opaque_callback_data ? { ...update, messageId: s.biz_opaque_callback_data } : update;
}

function statusOf(s: MetaStatus): DeliveryUpdate | null {
  const status = STATUSES[s.status];
  if (!status) return null;
  if (status !== 'failed') return { externalId: s.id, status };

  const err = s.errors?.[0];
  if (!err) return { externalId: s.id, status, error: 'failed (Meta gave no reason)' };
  const providerCode = err.code === undefined ? {} : { providerCode: String(err.code) };
  if (err.code === WINDOW_CLOSED_CODE) return { externalId: s.id, status, error: WINDOW_CLOSED_ERROR, ...providerCode };
  const detail = err.error_data?.details ?? err.message ?? 'no details';
  return { externalId: s.id, status, error: `${err.title ?? 'Error'}: ${detail}`, ...providerCode };
}
