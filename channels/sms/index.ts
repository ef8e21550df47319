import type { AdapterModule, ChannelCapabilities } from '../../src/domain/model/adapter.ts';
import {
  createTwilioMessagingAdapter,
  TWILIO_CREDENTIAL_DESTINATIONS,
  TWILIO_SECRET_FIELDS,
  TWILIO_WEBHOOK_PATHS,
} from '../shared/twilio/messaging-adapter.ts';
import { type SmsConfig, smsConfigSchema } from './config.ts';

// SMS and MMS through Twilio Programmable Messaging. Twilio reassembles multi-part SMS up to 1600 characters.

const capabilities: ChannelCapabilities = {
  maxTextLength: 1600,
  textFormat: 'plain',
  replyWindowMs: null,
  threads: false,
  threadsByHeaders: false,
  attachments: true,
  // After a crash mid-send: Twilio's status callbacks carry our message id (send.ts).
  resend: 'reports',
  csat: 'digits',
};

export const smsAdapter: AdapterModule<SmsConfig> = {
  kind: 'sms',
  providers: ['twilio'],
  label: 'SMS (Twilio)',
  configSchema: smsConfigSchema,
  secretFields: TWILIO_SECRET_FIELDS,
  credentialDestinations: TWILIO_CREDENTIAL_DESTINATIONS,
  webhookPaths: TWILIO_WEBHOOK_PATHS,
  capabilities,
  create: (config, deps, channel) => createTwilioMessagingAdapter('sms', capabilities, config, deps, channel),
};
