import { describe, expect, it } from 'vitest';
import { metaConfigSchema } from '../../../channels/whatsapp/meta/config.ts';
import { whatsappMetaAdapter } from '../../../channels/whatsapp/meta/index.ts';
import { SecretBox } from '../../../src/crypto/secret-box.ts';
import type { AdapterModule } from '../../../src/domain/model/adapter.ts';
import { openChannelConfig, sealChannelConfig } from '../../../src/domain/channels/channel-config.ts';

// The WhatsApp Cloud API channel's config: what an admin may store, its defaults, and which fields are secrets.

const minimal = { phone_number_id: '106540352242922', access_token: 'EAAG-token', app_secret: 'app-secret', verify_token: 'verify-me' };

describe('metaConfigSchema', () => {
  it('fills the Graph defaults', () => {
    expect(metaConfigSchema.parse(minimal)).toEqual({ ...minimal, api_base_url: 'https://graph.facebook.com', api_version: 'v21.0' });
  });

  it('strips trailing slashes from api_base_url and keeps a port', () => {
    expect(metaConfigSchema.parse({ ...minimal, api_base_url: 'http://127.0.0.1:4010//' }).api_base_url).toBe('http://127.0.0.1:4010');
  });

  it('takes a fallback template, language defaulting to en_US, components passed through', () => {
    const components = [{ type: 'body', parameters: [{ type: 'text', text: 'A123' }] }];
    const parsed = metaConfigSchema.parse({ ...minimal, fallback_template: { name: 'order_update', components } });
    expect(parsed.fallback_template).toEqual({ name: 'order_update', language: 'en_US', components });
  });

  it.each([
    ['a phone number id with a +', { phone_number_id: '+15550783881' }],
    ['a phone number id with letters', { phone_number_id: 'abc123' }],
    ['an empty access token', { access_token: '' }],
    ['a version without a minor', { api_version: 'v21' }],
    ['a version without the v', { api_version: '21.0' }],
    ['a non-http base url', { api_base_url: 'ftp://graph.facebook.com' }],
    ['a base url that is not a url', { api_base_url: 'graph.facebook.com' }],
    ['an unknown field', { phoneNumberId: '1' }],
    ['a template without a name', { fallback_template: { language: 'en_US' } }],
    ['a template with an unknown field', { fallback_template: { name: 'x', lang: 'en' } }],
  ])('rejects %s', (_what, patch) => {
    expect(metaConfigSchema.safeParse({ ...minimal, ...patch }).success).toBe(false);
  });

  it.each(['phone_number_id', 'access_token', 'app_secret', 'verify_token'])('requires %s', (field) => {
    const { [field as keyof typeof minimal]: _gone, ...rest } = minimal;
    expect(metaConfigSchema.safeParse(rest).success).toBe(false);
  });
});

describe('whatsappMetaAdapter module', () => {
  it('declares the kind, provider, one callback path and the WhatsApp capabilities', () => {
    expect(whatsappMetaAdapter.kind).toBe('whatsapp');
    expect(whatsappMetaAdapter.providers).toEqual(['meta']);
    expect(whatsappMetaAdapter.webhookPaths).toEqual({ inbound: 'inbound', status: 'inbound' });
    expect(whatsappMetaAdapter.capabilities).toEqual({
      maxTextLength: 4096,
      textFormat: 'plain',
      replyWindowMs: 86_400_000,
      threads: false,
      threadsByHeaders: false,
      attachments: true,
      resend: 'reports',
      csat: 'digits',
    });
  });

  it('seals the three secrets apart from the public config and opens them again', () => {
    const box = new SecretBox('master-secret-master-secret-master-secret');
    // Assignable to the registry's AdapterModule without a cast.
    const module: AdapterModule = whatsappMetaAdapter;
    const stored = sealChannelConfig(module, box, minimal);
    expect(stored.config).toEqual({ phone_number_id: minimal.phone_number_id, api_base_url: 'https://graph.facebook.com', api_version: 'v21.0' });
    for (const secret of ['EAAG-token', 'app-secret', 'verify-me']) expect(JSON.stringify(stored)).not.toContain(secret);
    expect(openChannelConfig(module, box, stored)).toMatchObject(minimal);
  });
});
