import type { MetaPeer } from '../whatsapp/meta/peer/meta-peer.ts';
import type { SlackPeer } from '../slack/peer/slack-peer.ts';
import type { TwilioPeer } from '../shared/twilio/peer/twilio-peer.ts';

// The channels the sandbox creates in a fresh Switchboard, each pointed at a local provider peer.

export const SANDBOX_NUMBERS = { sms: '+15550100000', whatsapp: '+15550100001', phone: '+15550100002' } as const;

export interface SandboxChannel {
  id: string;
  type: string;
  provider: string;
  name: string;
  webhook_urls: Record<string, string>;
}

type Admin = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

export const SANDBOX_SUPPORT_ADDRESS = 'support@sandbox.example';

export async function createSandboxChannels(admin: Admin, twilio: TwilioPeer, meta: MetaPeer, slack: SlackPeer, mailSinkPort: number) {
  const twilioAuth = { account_sid: twilio.accountSid, auth_token: twilio.authToken, api_base_url: twilio.url };
  const create = async (body: Record<string, unknown>): Promise<SandboxChannel> => {
    const res = await admin('POST', '/channels', body);
    if (res.status !== 201) throw new Error(`creating the ${String(body.name)} channel failed (${res.status}): ${JSON.stringify(res.body)}`);
    return res.body as SandboxChannel;
  };
  const sms = await create({ type: 'sms', name: 'Sandbox SMS', config: { ...twilioAuth, from: SANDBOX_NUMBERS.sms } });
  const whatsappTwilio = await create({
    type: 'whatsapp',
    provider: 'twilio',
    name: 'Sandbox WhatsApp (Twilio)',
    config: { ...twilioAuth, from: `whatsapp:${SANDBOX_NUMBERS.whatsapp}` },
  });
  const whatsappMeta = await create({
    type: 'whatsapp',
    provider: 'meta',
    name: 'Sandbox WhatsApp (Meta)',
    config: {
      phone_number_id: meta.phoneNumberId,
      access_token: meta.accessToken,
      app_secret: meta.appSecret,
      verify_token: meta.verifyToken,
      api_base_url: meta.url,
    },
  });
  const phone = await create({ type: 'phone', name: 'Sandbox phone line', config: { ...twilioAuth, from: SANDBOX_NUMBERS.phone } });
  const slackChannel = await create({
    type: 'slack',
    name: 'Sandbox Slack',
    config: { bot_token: slack.botToken, signing_secret: slack.signingSecret, api_base_url: `${slack.url}/api` },
  });
  const email = await create({
    type: 'email',
    name: 'Sandbox email',
    config: { address: SANDBOX_SUPPORT_ADDRESS, name: 'Sandbox Support', smtp: { host: '127.0.0.1', port: mailSinkPort, secure: false } },
  });
  meta.setCallback(whatsappMeta.webhook_urls.inbound!);
  return { sms, whatsappTwilio, whatsappMeta, phone, slack: slackChannel, email };
}

export type SandboxChannels = Awaited<ReturnType<typeof createSandboxChannels>>;
