import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChannelConfig } from '../../src/domain/channels/channel-config.ts';
import { channelRegistry } from '../../channels/registry.ts';
import { channels } from '../../src/db/schema/index.ts';
import { eq } from 'drizzle-orm';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenError } from '../helpers/contract.ts';

// PATCH /channels/{id} that changes where a channel's credentials are sent (a Twilio, Meta or Slack base URL, a
// mail server's host) must give those credentials again: else the stored ones would go to the new place.

type Json = Record<string, any>;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const call = (method: string, path: string, body?: unknown) => t.json(method, path, body);
const sid = (prefix: string) => `${prefix}${'0123456789abcdef'.repeat(2)}`;

async function create(type: string, config: Json, provider?: string): Promise<Json> {
  const res = await call('POST', '/channels', { type, name: `${type} channel`, config, ...(provider ? { provider } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** The whole stored config, secrets decrypted, as the adapter would get it. */
async function storedConfig(id: string): Promise<Json> {
  const [row] = await t.deps.db.select().from(channels).where(eq(channels.id, id));
  return openChannelConfig(channelRegistry.adapterFor(row!.type, row!.provider)!, t.deps.secrets, row!);
}

function expectRefused(res: { status: number; body: Json }, secrets: string[]) {
  expect(res.status).toBe(400);
  expectOpenError(res.body, 400);
  expect(res.body.message).toMatch(/sends the channel's credentials somewhere new: give .* again in the same request/);
  expect(res.body.details.map((d: Json) => d.path).sort()).toEqual(secrets.map((s) => `config.${s}`).sort());
}

describe('a Twilio channel (SMS, WhatsApp, phone): api_base_url carries the Auth Token and the API key secret', () => {
  const twilio = { account_sid: sid('AC'), auth_token: 'the-real-auth-token', from: '+14155550100' };

  it('refuses a new api_base_url without the Auth Token, and changes nothing', async () => {
    const sms = await create('sms', twilio);
    const refused = await call('PATCH', `/channels/${sms.id}`, { config: { api_base_url: 'https://collector.example' } });
    expectRefused(refused, ['auth_token']);
    expect(refused.body.details[0].message).toMatch(/config\.api_base_url changed/);
    expect((await storedConfig(sms.id)).api_base_url).toBe('https://api.twilio.com');

    const moved = await call('PATCH', `/channels/${sms.id}`, { config: { api_base_url: 'https://proxy.example', auth_token: 'entered-again' } });
    expect(moved.status).toBe(200);
    expect(await storedConfig(sms.id)).toMatchObject({ api_base_url: 'https://proxy.example', auth_token: 'entered-again' });
    // The same address again (trailing slash normalised away), or other fields: no secret needed.
    expect((await call('PATCH', `/channels/${sms.id}`, { config: { api_base_url: 'https://proxy.example/', help_text: 'Reply STOP to stop.' } })).status).toBe(200);
    // Back to the default (null removes the field) is a change too.
    expectRefused(await call('PATCH', `/channels/${sms.id}`, { config: { api_base_url: null } }), ['auth_token']);
  });

  it('with an API key, both of its secrets must come again; a phone channel needs its Auth Token', async () => {
    const keyed = await create('whatsapp', { ...twilio, from: 'whatsapp:+14155238886', api_key_sid: sid('SK'), api_key_secret: 'key-secret' });
    expectRefused(await call('PATCH', `/channels/${keyed.id}`, { config: { api_base_url: 'https://collector.example' } }), ['auth_token', 'api_key_secret']);
    expectRefused(
      await call('PATCH', `/channels/${keyed.id}`, { config: { api_base_url: 'https://collector.example', auth_token: 'again' } }),
      ['api_key_secret'],
    );
    const phone = await create('phone_voice', twilio);
    expectRefused(await call('PATCH', `/channels/${phone.id}`, { config: { api_base_url: 'https://collector.example' } }), ['auth_token']);
  });
});

describe('an email channel: each mail server gets its own password', () => {
  const smtp = { host: 'smtp.acme.example', port: 587, user: 'support@acme.example', pass: 'smtp-password' };
  const imap = { host: 'imap.acme.example', user: 'support@acme.example', pass: 'imap-password' };

  it('a new SMTP host needs smtp.pass, a new IMAP host imap.pass; other edits (a port of the same host) need nothing', async () => {
    const email = await create('email', { address: 'support@acme.example', smtp, imap });
    expectRefused(await call('PATCH', `/channels/${email.id}`, { config: { smtp: { host: 'mail.collector.example' } } }), ['smtp.pass']);
    expectRefused(await call('PATCH', `/channels/${email.id}`, { config: { imap: { host: 'imap.collector.example' } } }), ['imap.pass']);
    expectRefused(
      await call('PATCH', `/channels/${email.id}`, { config: { smtp: { host: 'a.example' }, imap: { host: 'b.example' } } }),
      ['smtp.pass', 'imap.pass'],
    );
    expect((await storedConfig(email.id)).smtp).toMatchObject({ host: 'smtp.acme.example', pass: 'smtp-password' });

    expect((await call('PATCH', `/channels/${email.id}`, { config: { smtp: { port: 465, secure: true }, imap: { poll_seconds: 30 } } })).status).toBe(200);
    const moved = await call('PATCH', `/channels/${email.id}`, { config: { smtp: { host: 'smtp2.acme.example', pass: 'new-pass' } } });
    expect(moved.status).toBe(200);
    expect(await storedConfig(email.id)).toMatchObject({ smtp: { host: 'smtp2.acme.example', pass: 'new-pass' }, imap: { pass: 'imap-password' } });
  });

  it('a relay without authentication has no password to protect', async () => {
    const open = await create('email', { address: 'help@acme.example', smtp: { host: 'relay.acme.example' } });
    expect((await call('PATCH', `/channels/${open.id}`, { config: { smtp: { host: 'relay2.acme.example' } } })).status).toBe(200);
  });
});

describe('Slack and WhatsApp (Meta): their API base URL', () => {
  it('Slack needs the bot token and client secret again, and the OAuth installations re-entered or removed', async () => {
    const installations = { T0ACME: { bot_token: 'xoxb-installed', bot_user_id: 'U0BOT' } };
    const slack = await create('slack', {
      signing_secret: 'signing',
      bot_token: 'xoxb-own',
      client_id: '123.456',
      client_secret: 'client-secret',
      installations,
    });
    const refused = await call('PATCH', `/channels/${slack.id}`, { config: { api_base_url: 'https://collector.example/api' } });
    expectRefused(refused, ['bot_token', 'client_secret', 'installations']);
    expect(refused.body.message).toMatch(/or null to remove it/);
    const moved = await call('PATCH', `/channels/${slack.id}`, {
      config: { api_base_url: 'https://proxy.example/api', bot_token: 'xoxb-again', client_secret: 'again', installations: null },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.secrets_set).toEqual(['bot_token', 'client_secret', 'signing_secret']);
  });

  it('Meta needs the access token again (the app secret and verify token only check webhooks)', async () => {
    const meta = await create('whatsapp', { phone_number_id: '1234567890', access_token: 'EAAG-token', app_secret: 'app-secret', verify_token: 'verify' }, 'meta');
    expectRefused(await call('PATCH', `/channels/${meta.id}`, { config: { api_base_url: 'https://collector.example' } }), ['access_token']);
    expect((await call('PATCH', `/channels/${meta.id}`, { config: { api_base_url: 'https://proxy.example', access_token: 'EAAG-again' } })).status).toBe(200);
  });
});
