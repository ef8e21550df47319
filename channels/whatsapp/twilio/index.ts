import type { AdapterModule, ChannelCapabilities } from '../../../src/domain/model/adapter.ts';
import {
  createTwilioMessagingAdapter,
  TWILIO_CREDENTIAL_DESTINATIONS,
  TWILIO_SECRET_FIELDS,
  TWILIO_WEBHOOK_PATHS,
} from '../../shared/twilio/messaging-adapter.ts';
import { type WhatsappTwilioConfig, whatsappTwilioConfigSchema } from './config.ts';

// WhatsApp through a Twilio WhatsApp sender. Free text is only delivered within 24 hours of the customer's last
// message; after that core sets `windowClosed` and the adapter sends the configured template instead.

const capabilities: ChannelCapabilities = {
  maxTextLength: 1600,
  textFormat: 'plain',
  replyWindowMs: 24 * 3600 * 1000,
  threads: false,
  threadsByHeaders: false,
  attachments: true,
  // After a crash mid-send: Twilio's status callbacks carry our message id.
  resend: 'reports',
  csat: 'digits',
};

export const whatsappTwilioAdapter: AdapterModule<WhatsappTwilioConfig> = {
  kind: 'whatsapp',
  providers: ['twilio'],
  label: 'WhatsApp (Twilio)',
  configSchema: whatsappTwilioConfigSchema,
  secretFields: TWILIO_SECRET_FIELDS,
  credentialDestinations: TWILIO_CREDENTIAL_DESTINATIONS,
  webhookPaths: TWILIO_WEBHOOK_PATHS,
  capabilities,
  create: (config, deps, channel) => createTwilioMessagingAdapter('whatsapp', capabilities, config, deps, channel),
};
