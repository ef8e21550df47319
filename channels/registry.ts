import type { AdapterModule } from '../src/domain/model/adapter.ts';
import type { ChannelKind } from '../src/domain/model/enums.ts';
import { apiAdapter } from './api/index.ts';
import { emailAdapter } from './email/index.ts';
import { phoneAdapter } from './phone/index.ts';
import { slackAdapter } from './slack/index.ts';
import { smsAdapter } from './sms/index.ts';
import { webAdapter } from './web/index.ts';
import { whatsappMetaAdapter } from './whatsapp/meta/index.ts';
import { whatsappTwilioAdapter } from './whatsapp/twilio/index.ts';

// Each module is typed by its own config; the registry holds them by the shape core uses.
const erase = <C extends Record<string, unknown>>(m: AdapterModule<C>) => m as unknown as AdapterModule;

/**
 * Every channel kind maps to its adapter modules, one per provider (WhatsApp: Twilio's sender or Meta's Cloud API);
 * the first module's first provider is the kind's default. A new kind in CHANNEL_KINDS fails to compile here.
 */
export const adapterModules: Record<ChannelKind, readonly AdapterModule[]> = {
  api: [apiAdapter],
  web: [erase(webAdapter)],
  sms: [erase(smsAdapter)],
  whatsapp: [erase(whatsappTwilioAdapter), erase(whatsappMetaAdapter)],
  phone_voice: [erase(phoneAdapter)],
  slack: [erase(slackAdapter)],
  email: [erase(emailAdapter)],
};

/** The module for a kind and provider (default: the kind's default provider). */
export function adapterFor(kind: ChannelKind, provider?: string): AdapterModule | undefined {
  const modules = adapterModules[kind] ?? [];
  if (provider === undefined) return modules[0];
  return modules.find((m) => m.providers.includes(provider));
}

/** Every provider a kind can use, default first. */
export function providersFor(kind: ChannelKind): string[] {
  return (adapterModules[kind] ?? []).flatMap((m) => [...m.providers]);
}
