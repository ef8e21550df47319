import type { AdapterModule, ChannelCapabilities } from '../../src/domain/model/adapter.ts';
import { DeliveryError, WebhookAuthError } from '../../src/errors.ts';
import { type WebConfig, webConfigSchema } from './config.ts';

// Web chat. Visitors arrive through the widget's own endpoints (/widget/{public_id}/…), not provider webhooks.
// Sending a reply is ringing the visitor's sockets on whatever gateway process holds them: each reads the reply
// from the visitor's feed, so the message itself never travels through Redis.

const capabilities: ChannelCapabilities = {
  maxTextLength: 20_000,
  textFormat: 'plain',
  replyWindowMs: null,
  threads: false,
  threadsByHeaders: false,
  attachments: true,
  // After a crash mid-send: the widget drops a message id it already shows.
  resend: 'dedupes',
  csat: 'rating-row',
};

export const webAdapter: AdapterModule<WebConfig> = {
  kind: 'web',
  providers: ['web'],
  label: 'Web chat',
  configSchema: webConfigSchema,
  secretFields: ['identity_secret'],
  // identity_secret only checks visitors' HMACs: it is never sent anywhere.
  credentialDestinations: {},
  // Every organization starts with a website chat (the one /demo shows).
  provision: { name: 'Website' },
  webhookPaths: {},
  capabilities,
  create: (_config, deps) => ({
    kind: 'web',
    capabilities,
    verify: async () => {
      throw new WebhookAuthError('Web chat takes no provider webhooks: visitors connect to /widget/{public_id}/ws');
    },
    parse: async () => ({ type: 'ignored', reason: 'web chat has no provider webhooks' }),
    send: async (msg) => {
      if (!msg.to.contactId) throw new DeliveryError('web chat reply without a contact', 'never');
      // Delivered when some gateway holds a socket of the visitor; otherwise the widget shows it on its next visit.
      const listening = await deps.realtime.toContact(msg.to.contactId, { kind: 'doorbell' });
      return { externalId: msg.messageId, status: listening > 0 ? 'delivered' : 'sent' };
    },
    typing: async (to, sender, active) => {
      if (to.contactId) await deps.realtime.toContact(to.contactId, { kind: 'typing', sender, active });
    },
  }),
};
