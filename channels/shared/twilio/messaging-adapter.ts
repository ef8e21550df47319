import type { AdapterDeps, ChannelAdapter, ChannelCapabilities, ChannelInfo, ParseOutcome, RawWebhook } from '../../../src/domain/model/adapter.ts';
import { createTwilioClient, restCredentials } from './client.ts';
import type { TwilioMessagingConfig } from './config.ts';
import { parseInbound } from './inbound.ts';
import { fetchTwilioMedia } from './media.ts';
import { findSentTwilioMessage } from './find-sent.ts';
import { sendTwilioMessage } from './send.ts';
import { formParams, verifyTwilioSignature } from './signature.ts';
import { parseStatusCallback } from './status.ts';
import { emptyTwimlAck } from './twiml-ack.ts';

// The ChannelAdapter both Twilio Messaging kinds share: SMS/MMS and WhatsApp differ only in addressing (the
// `whatsapp:` prefix), the reply window and the template fallback, which the pieces below take as `kind`.

export const TWILIO_WEBHOOK_PATHS = { inbound: 'inbound', status: 'status' } as const;
export const TWILIO_SECRET_FIELDS = ['auth_token', 'api_key_secret'] as const;
/** REST calls and media downloads go to api_base_url with the API key's secret, or else the Auth Token. */
export const TWILIO_CREDENTIAL_DESTINATIONS = { api_base_url: TWILIO_SECRET_FIELDS } as const;

export function createTwilioMessagingAdapter(
  kind: 'sms' | 'whatsapp',
  capabilities: ChannelCapabilities,
  config: TwilioMessagingConfig,
  deps: AdapterDeps,
  channel: ChannelInfo,
): ChannelAdapter {
  const client = createTwilioClient(config);
  const credentials = restCredentials(config);
  const target = { kind, config, statusUrl: channel.webhookUrls.status };

  const parse = async (req: RawWebhook): Promise<ParseOutcome> => {
    const params = formParams(req.body);
    if (req.subPath === TWILIO_WEBHOOK_PATHS.inbound) {
      const message = parseInbound(params, { kind, channelId: channel.id, now: deps.now(), helpText: config.help_text });
      // Authentic but unusable: acknowledge, or Twilio retries it to the fallback URL.
      if (!message.externalId) return { type: 'ignored', reason: 'inbound webhook without MessageSid', ack: emptyTwimlAck() };
      return { type: 'messages', messages: [message], ack: emptyTwimlAck() };
    }
    if (req.subPath === TWILIO_WEBHOOK_PATHS.status) {
      const parsed = parseStatusCallback(params, req.url);
      if ('ignored' in parsed) return { type: 'ignored', reason: parsed.ignored, ack: emptyTwimlAck() };
      return { type: 'status', updates: [parsed.update], ack: emptyTwimlAck() };
    }
    return { type: 'ignored', reason: `no Twilio messaging webhook at ${req.subPath || '(root)'}`, ack: emptyTwimlAck() };
  };

  return {
    kind,
    capabilities,
    verify: async (req) => verifyTwilioSignature(config.auth_token, req),
    parse,
    send: (msg, signal) => sendTwilioMessage(client, msg, target, signal),
    findSent: (msg, since, signal) => findSentTwilioMessage(client, msg, target, since, signal),
    fetchMedia: (ref, maxBytes, signal) =>
      fetchTwilioMedia(ref, maxBytes, signal, { fetch: deps.fetch, apiBaseUrl: config.api_base_url, ...credentials }),
  };
}
