import type { AdapterModule, MailEnvelope, ParseOutcome, RawWebhook } from '../../src/domain/model/adapter.ts';
import { WebhookAuthError } from '../../src/errors.ts';
import {
  emailCapabilities,
  type EmailConfig,
  emailConfigSchema,
  emailCredentialDestinations,
  emailSecretFields,
  emailWebhookPaths,
} from './config.ts';
import { parseMail } from './parse-mail.ts';
import { createEmailSender } from './send.ts';
import { bodyBytes, verifyMimeWebhook } from './verify.ts';

// Email (docs/email.md): mail arrives through core's SMTP listener or IMAP poller (trusted: parseMail), or through
// the raw-MIME webhook (verify + parse); replies go out through the channel's SMTP relay, threaded by headers.

export type { EmailConfig } from './config.ts';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export const emailAdapter: AdapterModule<EmailConfig> = {
  kind: 'email',
  providers: ['smtp'],
  label: 'Email',
  configSchema: emailConfigSchema,
  secretFields: emailSecretFields,
  credentialDestinations: emailCredentialDestinations,
  webhookPaths: emailWebhookPaths,
  capabilities: emailCapabilities,
  create: (config, deps, channel) => {
    const parseRaw = (raw: Uint8Array, envelope?: MailEnvelope) =>
      parseMail(raw, { config, channelId: channel.id, envelope, now: deps.now() });
    return {
      kind: 'email',
      capabilities: emailCapabilities,
      verify: async (req: RawWebhook) => {
        if (req.subPath !== emailWebhookPaths.mime) throw new WebhookAuthError(`Email channels take no webhooks at /${req.subPath}`);
        verifyMimeWebhook(config.webhook_secret, req);
      },
      parse: async (req: RawWebhook): Promise<ParseOutcome> => {
        const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'message/rfc822') {
          const message = 'The raw-MIME webhook takes Content-Type: message/rfc822 (the raw mail as the body)';
          return { type: 'ignored', reason: `content type ${type || 'missing'}`, ack: json(415, { statusCode: 415, message, error: 'Unsupported Media Type' }) };
        }
        const outcome = await parseRaw(bodyBytes(req));
        if (outcome.type !== 'messages' && outcome.type !== 'ignored') return outcome;
        return { ...outcome, ack: json(200, { accepted: true }) };
      },
      parseMail: (raw, envelope) => parseRaw(raw, envelope),
      send: createEmailSender(config, deps),
    };
  },
};
