import type { AdapterModule } from '../src/domain/model/adapter.ts';
import { ChannelRegistry } from '../src/domain/channels/registry.ts';
import { apiAdapter } from './api/index.ts';
import { emailAdapter } from './email/index.ts';
import { emailServer } from './email/server/index.ts';
import { phoneAdapter } from './phone/index.ts';
import { phoneServer } from './phone/server/index.ts';
import { slackAdapter } from './slack/index.ts';
import { smsAdapter } from './sms/index.ts';
import { webAdapter } from './web/index.ts';
import { webServer } from './web/server/index.ts';
import { whatsappMetaAdapter } from './whatsapp/meta/index.ts';
import { whatsappTwilioAdapter } from './whatsapp/twilio/index.ts';

// The one file that names every channel (docs/architecture.md). Core is handed this registry (Deps.channels) and
// asks it; adding a channel is a folder under channels/ and a line here.

// Each module is typed by its own config; the registry holds them by the shape core uses.
const erase = <C extends Record<string, unknown>>(m: AdapterModule<C>) => m as unknown as AdapterModule;

/**
 * Every channel kind maps to its adapter modules, one per provider (WhatsApp: Twilio's sender or Meta's Cloud API);
 * the first module's first provider is the kind's default. A new kind in CHANNEL_KINDS fails to compile here.
 */
export const channelRegistry = new ChannelRegistry(
  {
    web: [erase(webAdapter)],
    email: [erase(emailAdapter)],
    phone_voice: [erase(phoneAdapter)],
    sms: [erase(smsAdapter)],
    whatsapp: [erase(whatsappTwilioAdapter), erase(whatsappMetaAdapter)],
    slack: [erase(slackAdapter)],
    api: [apiAdapter],
  },
  [webServer, emailServer, phoneServer],
);
