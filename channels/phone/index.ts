import type { AdapterModule, ChannelCapabilities } from '../../src/domain/model/adapter.ts';
import { verifyTwilioSignature } from '../shared/twilio/signature.ts';
import { answerCallResponse } from './answer-call.ts';
import { callUrls } from './call-urls.ts';
import { type PhoneConfig, phoneConfigSchema } from './config.ts';
import { parseCallWebhook } from './parse-call.ts';
import { fetchRecording } from './recording-media.ts';

// Phone calls through Twilio Voice. Nothing is pushed: each reply is spoken in the TwiML that answers the call's
// next webhook (core calls answerCall once it has stored what the webhook carried).

const capabilities: ChannelCapabilities = {
  maxTextLength: 3000,
  textFormat: 'plain',
  replyWindowMs: null,
  threads: true,
  threadsByHeaders: false,
  attachments: false,
  // After a crash mid-send: a reply is spoken once, in the answer to the call's next webhook.
  resend: 'dedupes',
  csat: null, // a call that ended: nobody to ask
};

export const phoneAdapter: AdapterModule<PhoneConfig> = {
  kind: 'phone_voice',
  providers: ['twilio'],
  label: 'Phone (Twilio)',
  configSchema: phoneConfigSchema,
  secretFields: ['auth_token'],
  // Recording downloads authenticate to api_base_url with the Auth Token.
  credentialDestinations: { api_base_url: ['auth_token'] },
  webhookPaths: { inbound: 'voice', voice: 'voice', status: 'status' },
  capabilities,
  create: (config, deps, channel) => {
    const urls = callUrls(channel);
    return {
      kind: 'phone_voice',
      capabilities,
      verify: async (req) => verifyTwilioSignature(config.auth_token, req),
      parse: async (req) => parseCallWebhook(config, channel, req),
      answerCall: (answer) => answerCallResponse(config, urls, answer),
      // The reply is spoken in the answer to the call's next webhook: nothing to send now.
      send: async (msg) => ({ externalId: msg.messageId, status: 'sent' }),
      fetchMedia: (ref, maxBytes, signal) => fetchRecording(config, deps, ref, maxBytes, signal),
    };
  },
};
