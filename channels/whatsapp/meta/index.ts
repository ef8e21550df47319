import type { AdapterModule } from '../../../src/domain/model/adapter.ts';
import { metaCapabilities, type MetaConfig, metaConfigSchema, metaCredentialDestinations, metaSecretFields } from './config.ts';
import { createMediaFetcher } from './media.ts';
import { parseHandshake, parseNotification } from './parse.ts';
import { createSender } from './send.ts';
import { verifyHandshake, verifySignature } from './verify.ts';

// WhatsApp through Meta's Cloud API, directly (https://developers.facebook.com/docs/whatsapp/cloud-api). Meta has one
// callback URL per app for both the subscription handshake (GET) and notifications (POST, messages and statuses
// together), hence one webhook path.

export const whatsappMetaAdapter: AdapterModule<MetaConfig> = {
  kind: 'whatsapp',
  providers: ['meta'],
  label: 'WhatsApp (Meta Cloud API)',
  configSchema: metaConfigSchema,
  secretFields: metaSecretFields,
  credentialDestinations: metaCredentialDestinations,
  webhookPaths: { inbound: 'inbound', status: 'inbound' },
  capabilities: metaCapabilities,
  create: (config, deps, channel) => {
    const isHandshake = (method: string) => method.toUpperCase() === 'GET';
    return {
      kind: 'whatsapp',
      capabilities: metaCapabilities,
      verify: async (req) => (isHandshake(req.method) ? verifyHandshake(config.verify_token, req) : verifySignature(config.app_secret, req)),
      parse: async (req) => (isHandshake(req.method) ? parseHandshake(req) : parseNotification(config, channel.id, req)),
      send: createSender(config, deps),
      fetchMedia: createMediaFetcher(config, deps),
    };
  },
};
