import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box.ts';
import { NOTIFY_JOB_OPTIONS, webhookBackoffDelay } from '../../src/domain/relays/event-fanout.ts';
import { newWebhookSecret, signingSecrets, signWebhook, webhookHeaders } from '../../src/domain/webhooks/webhook-signature.ts';

// Our node:crypto signer, checked against the Standard Webhooks reference implementation (the `standardwebhooks`
// package): what we sign, it verifies; what it signs, we reproduce byte for byte.

const body = JSON.stringify({ event: 'conversation.contact_response', organization_id: 'org', data: { text: 'héllo ✓' } });

describe('newWebhookSecret', () => {
  it('is whsec_ + base64 of 24 random bytes, different every time', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(a.slice('whsec_'.length), 'base64')).toHaveLength(24);
    expect(newWebhookSecret()).not.toBe(a);
  });
});

describe('signWebhook', () => {
  it('matches the Standard Webhooks test vector', () => {
    const sig = signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('produces what the reference implementation produces', () => {
    const secret = newWebhookSecret();
    const at = new Date(1_700_000_000_000);
    expect(signWebhook(secret, 'evt-1', 1_700_000_000, body)).toBe(new Webhook(secret).sign('evt-1', at, body));
  });
});

describe('webhookHeaders', () => {
  it('verifies with the reference implementation', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders([secret], 'evt-2', body);
    expect(headers['webhook-id']).toBe('evt-2');
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('is rejected for another body, another secret, another id or a stale timestamp', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders([secret], 'evt-3', body);
    const wh = new Webhook(secret);
    expect(() => wh.verify(body.replace('héllo', 'hello'), headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
    expect(() => wh.verify(body, { ...headers, 'webhook-id': 'evt-4' })).toThrow(WebhookVerificationError);
    const old = webhookHeaders([secret], 'evt-3', body, new Date(Date.now() - 3600_000));
    expect(() => wh.verify(body, old)).toThrow(/too old/i);
  });

  it('signs with every secret given, so the old and the new secret both verify during a rotation', () => {
    const [oldSecret, newSecret] = [newWebhookSecret(), newWebhookSecret()];
    const headers = webhookHeaders([newSecret, oldSecret], 'evt-5', body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(newSecret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('refuses to sign without a secret', () => {
    expect(() => webhookHeaders([], 'evt-6', body)).toThrow(/No webhook secret/);
  });
});

describe('signingSecrets', () => {
  const box = new SecretBox('s'.repeat(32));
  const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
  const row = (expires: Date | null) => ({
    secret: box.seal(current),
    previousSecret: expires ? box.seal(previous) : null,
    previousSecretExpiresAt: expires,
  });

  it('is the current secret alone outside a rotation', () => {
    expect(signingSecrets(box, row(null))).toEqual([current]);
  });

  it('adds the previous secret until its overlap ends', () => {
    const now = new Date();
    expect(signingSecrets(box, row(new Date(now.getTime() + 1000)), now)).toEqual([current, previous]);
    expect(signingSecrets(box, row(new Date(now.getTime() - 1000)), now)).toEqual([current]);
  });
});

// Not signing, but what a signed delivery's retries look like: the schedule the notify worker's backoff follows.
describe('the notify retry schedule', () => {
  it('doubles from 30 s, caps at 4 h, and spans about a day over 15 attempts', () => {
    const gaps = Array.from({ length: NOTIFY_JOB_OPTIONS.attempts - 1 }, (_, i) => webhookBackoffDelay(i + 1));
    expect(gaps.slice(0, 4)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(Math.max(...gaps)).toBe(4 * 3600_000);
    const total = gaps.reduce((a, b) => a + b, 0) / 3600_000;
    expect(total).toBeGreaterThan(23);
    expect(total).toBeLessThan(25);
    expect(webhookBackoffDelay(3, 100)).toBe(400);
  });
});
