import type { SentMessage } from './graph.ts';
import { envelope, type StatusInput, statusValue, type WebhookSource } from './webhooks.ts';
import { metaJson, newGraphId } from './wire.ts';

// What Meta reports after accepting a send: `sent`, then `delivered`. A free-form message to someone whose last
// message is more than 24 hours old is accepted all the same and then fails with 131047
// (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes), so
// adapters meet the window only through a status webhook, as in production. Statuses go out one at a time, in order.

const WINDOW_MS = 24 * 60 * 60 * 1000;

const REENGAGEMENT = {
  code: 131047,
  title: 'Re-engagement message',
  message: 'Re-engagement message',
  error_data: {
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
};

export interface AutoStatusDeps {
  source: WebhookSource;
  now(): Date;
  lastInbound: Map<string, Date>;
  post(body: string): Promise<void>;
}

export function autoStatuses(deps: AutoStatusDeps) {
  let queue: Promise<void> = Promise.resolve();
  const conversations = new Map<string, string>();

  function windowClosed(message: SentMessage): boolean {
    if (message.type === 'template') return false;
    const last = deps.lastInbound.get(message.to);
    return last !== undefined && deps.now().getTime() - last.getTime() > WINDOW_MS;
  }

  async function post(s: StatusInput): Promise<void> {
    let conversation = conversations.get(s.recipient);
    if (!conversation) conversations.set(s.recipient, (conversation = newGraphId()));
    await deps.post(metaJson(envelope(deps.source, statusValue(s, conversation))));
  }

  return {
    /** Queue the statuses of an accepted message (after its 200 has gone out). */
    after(message: SentMessage): void {
      const closed = windowClosed(message);
      const opaque = (message.body as { biz_opaque_callback_data?: unknown } | null)?.biz_opaque_callback_data;
      const base = { id: message.id, recipient: message.to, bizOpaque: typeof opaque === 'string' ? opaque : undefined };
      queue = queue
        .then(() => post({ ...base, status: 'sent', at: deps.now() }))
        .then(() =>
          post(closed ? { ...base, status: 'failed', at: deps.now(), errors: [REENGAGEMENT] } : { ...base, status: 'delivered', at: deps.now() })
        )
        .catch(() => {});
    },
    /** Resolves once every queued status has been posted. */
    idle: (): Promise<void> => queue,
  };
}
