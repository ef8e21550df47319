import { describe, expect, it } from 'vitest';
import { smsAdapter } from '../../../../channels/sms/index.ts';
import { whatsappTwilioAdapter } from '../../../../channels/whatsapp/twilio/index.ts';
import { SecretBox } from '../../../../src/crypto/secret-box.ts';
import { openChannelConfig, sealChannelConfig } from '../../../../src/domain/channels/channel-config.ts';
import { ValidationError } from '../../../../src/errors.ts';

// The Twilio Messaging config schemas: exactly one sender, API keys as pairs, WhatsApp sender normalization, and
// the secrets split off by the channel store.

const ACCOUNT = `AC${'a1'.repeat(16)}`;
const SERVICE = `MG${'b2'.repeat(16)}`;
const KEY = `SK${'c3'.repeat(16)}`;
const TEMPLATE = `HX${'d4'.repeat(16)}`;
const base = { account_sid: ACCOUNT, auth_token: 'f'.repeat(32) };

function issues(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) {
  return (result.error?.issues ?? []).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('sms config', () => {
  it('accepts a number and fills the defaults', () => {
    const cfg = smsAdapter.configSchema.parse({ ...base, from: '+14155550100' });
    expect(cfg).toEqual({
      ...base,
      from: '+14155550100',
      api_base_url: 'https://api.twilio.com',
      help_text: 'Reply STOP to unsubscribe. Msg&data rates may apply.',
    });
  });

  it('accepts a Messaging Service instead of a number', () => {
    const cfg = smsAdapter.configSchema.parse({ ...base, messaging_service_sid: SERVICE });
    expect(cfg.messaging_service_sid).toBe(SERVICE);
    expect(cfg.from).toBeUndefined();
  });

  it('refuses both senders, naming messaging_service_sid', () => {
    const result = smsAdapter.configSchema.safeParse({ ...base, from: '+14155550100', messaging_service_sid: SERVICE });
    expect(result.success).toBe(false);
    expect(issues(result)).toEqual([{ path: 'messaging_service_sid', message: 'Give either from or messaging_service_sid, not both' }]);
  });

  it('refuses neither sender, naming from', () => {
    const result = smsAdapter.configSchema.safeParse(base);
    expect(issues(result)).toEqual([{ path: 'from', message: 'Required: from (your Twilio sender) or messaging_service_sid' }]);
  });

  it.each([
    [{ ...base, from: '4155550100' }, 'from'],
    [{ ...base, from: 'whatsapp:+14155550100' }, 'from'],
    [{ ...base, account_sid: 'AC123', from: '+14155550100' }, 'account_sid'],
    [{ account_sid: ACCOUNT, from: '+14155550100' }, 'auth_token'],
    [{ ...base, auth_token: '  ', from: '+14155550100' }, 'auth_token'],
    [{ ...base, messaging_service_sid: 'MGxyz' }, 'messaging_service_sid'],
    [{ ...base, from: '+14155550100', api_key_sid: KEY }, 'api_key_secret'],
    [{ ...base, from: '+14155550100', api_key_secret: 'secret' }, 'api_key_sid'],
    [{ ...base, from: '+14155550100', api_key_sid: 'SK1', api_key_secret: 's' }, 'api_key_sid'],
    [{ ...base, from: '+14155550100', api_base_url: 'ftp://api.twilio.com' }, 'api_base_url'],
    [{ ...base, from: '+14155550100', fallback_template: { content_sid: TEMPLATE } }, ''],
  ])('refuses %o at %s', (input, path) => {
    const result = smsAdapter.configSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(issues(result).map((i) => i.path)).toContain(path);
  });

  it('takes an API key pair and strips the trailing slash of api_base_url', () => {
    const cfg = smsAdapter.configSchema.parse({
      ...base,
      from: '+14155550100',
      api_key_sid: KEY,
      api_key_secret: 'key-secret',
      api_base_url: 'http://127.0.0.1:4010//',
    });
    expect(cfg.api_base_url).toBe('http://127.0.0.1:4010');
    expect(cfg.api_key_sid).toBe(KEY);
  });
});

describe('whatsapp (twilio) config', () => {
  it('normalizes a bare number to whatsapp: form, and stays the same when validated again', () => {
    const cfg = whatsappTwilioAdapter.configSchema.parse({ ...base, from: '+14155238886' });
    expect(cfg.from).toBe('whatsapp:+14155238886');
    expect(whatsappTwilioAdapter.configSchema.parse(cfg)).toEqual(cfg);
  });

  it('takes a fallback template with variables', () => {
    const cfg = whatsappTwilioAdapter.configSchema.parse({
      ...base,
      from: 'whatsapp:+14155238886',
      fallback_template: { content_sid: TEMPLATE, variables: { '1': 'friend' } },
    });
    expect(cfg.fallback_template).toEqual({ content_sid: TEMPLATE, variables: { '1': 'friend' } });
  });

  it('refuses a bad template sid and a sender that is not a number', () => {
    const bad = whatsappTwilioAdapter.configSchema.safeParse({
      ...base,
      from: 'whatsapp:14155238886',
      fallback_template: { content_sid: 'HX1' },
    });
    expect(issues(bad).map((i) => i.path).sort()).toEqual(['fallback_template.content_sid', 'from']);
  });

  it('has the same sender rule as SMS', () => {
    expect(issues(whatsappTwilioAdapter.configSchema.safeParse(base))[0]?.path).toBe('from');
  });
});

describe('module descriptions', () => {
  it('declare kinds, providers, secrets, webhook paths and capabilities', () => {
    for (const mod of [smsAdapter, whatsappTwilioAdapter]) {
      expect(mod.providers).toEqual(['twilio']);
      expect(mod.secretFields).toEqual(['auth_token', 'api_key_secret']);
      expect(mod.webhookPaths).toEqual({ inbound: 'inbound', status: 'status' });
    }
    expect(smsAdapter.kind).toBe('sms');
    expect(smsAdapter.capabilities.replyWindowMs).toBeNull();
    expect(whatsappTwilioAdapter.kind).toBe('whatsapp');
    expect(whatsappTwilioAdapter.capabilities.replyWindowMs).toBe(24 * 3600 * 1000);
  });

  it('keep the token and the key secret out of the stored public config', () => {
    const box = new SecretBox('master-secret-master-secret-master-secret');
    const input = { ...base, from: '+14155550100', api_key_sid: KEY, api_key_secret: 'key-secret' };
    const stored = sealChannelConfig(smsAdapter, box, input);
    expect(stored.config).not.toHaveProperty('auth_token');
    expect(stored.config).not.toHaveProperty('api_key_secret');
    expect(stored.config.api_key_sid).toBe(KEY);
    expect(stored.secrets).not.toContain('key-secret');
    expect(openChannelConfig(smsAdapter, box, stored)).toMatchObject(input);
    expect(() => sealChannelConfig(smsAdapter, box, { ...base })).toThrow(ValidationError);
  });
});
