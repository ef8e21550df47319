import { z } from 'zod';
import type { AdapterModule, ChannelCapabilities } from '../../src/domain/model/adapter.ts';
import { WebhookAuthError } from '../../src/errors.ts';

// The REST API channel: messages arrive through /chat/sessions/:id/send and replies are read from the
// history or received as outbound webhooks, so there is nothing to verify, parse or push.

const capabilities: ChannelCapabilities = {
  maxTextLength: 100_000,
  textFormat: 'markdown',
  replyWindowMs: null,
  threads: false,
  threadsByHeaders: false,
  attachments: true,
  // After a crash mid-send: nothing is pushed.
  resend: 'dedupes',
  csat: null, // no customer on the other end to ask
};

export const apiAdapter: AdapterModule = {
  kind: 'api',
  providers: ['api'],
  label: 'REST API',
  configSchema: z.strictObject({}),
  secretFields: [],
  credentialDestinations: {},
  // Every organization has one: sessions opened over the API without a channel go on it (Open's default).
  provision: { name: 'API', builtIn: true },
  webhookPaths: {},
  capabilities,
  create: () => ({
    kind: 'api',
    capabilities,
    verify: async () => {
      throw new WebhookAuthError('The API channel takes no webhooks: use the Sessions API');
    },
    parse: async () => ({ type: 'ignored', reason: 'api channel has no webhooks' }),
    // The reply is already in the history, where API callers read it: delivery is immediate.
    send: async (msg) => ({ externalId: msg.messageId, status: 'delivered' }),
  }),
};
