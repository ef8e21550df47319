import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { apiAdapter } from '../../channels/api/index.ts';
import { SecretBox } from '../../src/crypto/secret-box.ts';
import type { AdapterModule } from '../../src/domain/model/adapter.ts';
import { openChannelConfig, sealChannelConfig, secretNames } from '../../src/domain/channels/channel-config.ts';
import { webhookUrls } from '../../src/domain/channels/webhook-urls.ts';
import { AppError, ValidationError } from '../../src/errors.ts';

// Channel config: validated as a whole by the module's schema, secret fields sealed apart and never in the
// public part. A stand-in module (shaped like a Twilio SMS one) plays the adapter, since only `api` exists yet.

const box = new SecretBox('master-secret-master-secret-master-secret');

const smsLike: AdapterModule = {
  kind: 'sms',
  providers: ['twilio'],
  label: 'SMS-like',
  configSchema: z.strictObject({
    accountSid: z.string().startsWith('AC'),
    authToken: z.string().min(8),
    from: z.string().min(1),
    region: z.string().default('us1'),
    apiKeySecret: z.string().optional(),
  }),
  secretFields: ['authToken', 'apiKeySecret'],
  credentialDestinations: {},
  webhookPaths: { inbound: 'inbound', status: '/status' },
  capabilities: apiAdapter.capabilities,
  create: apiAdapter.create,
};

const input = { accountSid: 'AC123', authToken: 'tok-secret-1', from: '+15550001111' };

describe('sealChannelConfig', () => {
  it('stores the public part in clear (with schema defaults) and seals only the secret fields', () => {
    const stored = sealChannelConfig(smsLike, box, input);
    expect(stored.config).toEqual({ accountSid: 'AC123', from: '+15550001111', region: 'us1' });
    expect(stored.secrets).toMatch(/^v1\./);
    expect(stored.secrets).not.toContain('tok-secret-1');
    expect(box.openJson(stored.secrets!)).toEqual({ authToken: 'tok-secret-1' });
    expect(secretNames(box, stored)).toEqual(['authToken']);
  });

  it('round-trips: openChannelConfig gives back the whole validated config', () => {
    const stored = sealChannelConfig(smsLike, box, input);
    expect(openChannelConfig(smsLike, box, stored)).toEqual({ ...input, region: 'us1' });
  });

  it('stores no secrets blob for a module without secrets', () => {
    expect(sealChannelConfig(apiAdapter, box, {})).toEqual({ config: {}, secrets: null });
  });

  it('rejects an invalid config with field details under config.', () => {
    const attempt = () => sealChannelConfig(smsLike, box, { accountSid: 'XX1', from: '+1', extra: 1 });
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (err) {
      const e = err as ValidationError;
      expect(e.status).toBe(400);
      expect(e.message).toBe('Invalid config for a sms channel');
      expect(e.details?.map((d) => d.path).sort()).toEqual(['config', 'config.accountSid', 'config.authToken']);
      // Error messages never echo a secret value.
      expect(JSON.stringify(e.details)).not.toContain('tok-secret');
    }
  });
});

describe('sealChannelConfig on a patch', () => {
  const stored = sealChannelConfig(smsLike, box, input);

  it('merges into the stored config and keeps the sealed secrets as they were when none is given', () => {
    const patched = sealChannelConfig(smsLike, box, { from: '+15550002222' }, stored);
    expect(patched.config).toEqual({ accountSid: 'AC123', from: '+15550002222', region: 'us1' });
    expect(patched.secrets).toBe(stored.secrets);
  });

  it('re-seals when a secret is given, keeping the other secrets', () => {
    const withTwo = sealChannelConfig(smsLike, box, { apiKeySecret: 'second-secret' }, stored);
    expect(withTwo.secrets).not.toBe(stored.secrets);
    expect(box.openJson(withTwo.secrets!)).toEqual({ authToken: 'tok-secret-1', apiKeySecret: 'second-secret' });
    const rotated = sealChannelConfig(smsLike, box, { authToken: 'tok-secret-2' }, withTwo);
    expect(box.openJson(rotated.secrets!)).toEqual({ authToken: 'tok-secret-2', apiKeySecret: 'second-secret' });
    expect(secretNames(box, rotated)).toEqual(['apiKeySecret', 'authToken']);
  });

  it('removes a key given as null, and re-validates the whole', () => {
    const withTwo = sealChannelConfig(smsLike, box, { apiKeySecret: 'second-secret' }, stored);
    const removed = sealChannelConfig(smsLike, box, { apiKeySecret: null }, withTwo);
    expect(box.openJson(removed.secrets!)).toEqual({ authToken: 'tok-secret-1' });
    expect(() => sealChannelConfig(smsLike, box, { authToken: null }, stored)).toThrow(ValidationError);
    expect(() => sealChannelConfig(smsLike, box, { accountSid: 'nope' }, stored)).toThrow(ValidationError);
  });

  it('says so clearly when the secrets cannot be decrypted (master key changed)', () => {
    const other = new SecretBox('another-master-secret-another-master');
    const attempt = () => openChannelConfig(smsLike, other, stored);
    expect(attempt).toThrow(AppError);
    expect(attempt).toThrow('Channel secrets cannot be decrypted: was SWITCHBOARD_SECRET changed?');
  });
});

describe('webhookUrls', () => {
  it('names one URL per sub-path under /webhooks/<channel id>', () => {
    const id = '0b0e2f4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
    expect(webhookUrls('https://sb.example.com/', id, smsLike.webhookPaths)).toEqual({
      inbound: `https://sb.example.com/webhooks/${id}/inbound`,
      status: `https://sb.example.com/webhooks/${id}/status`,
    });
    expect(webhookUrls('https://sb.example.com', id, {})).toEqual({});
  });
});
