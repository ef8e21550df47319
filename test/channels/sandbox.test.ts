import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshQueuePrefix, redisUrl } from '../helpers/services.ts';
import { freePort } from '../helpers/server.ts';

// `npm run sandbox` as a user runs it: one command starts the Twilio and Meta peers and Switchboard beside them;
// a customer played through its console gets answers on SMS, WhatsApp and a phone call.

const ROOT = resolve(import.meta.dirname, '../..');
let proc: ChildProcess;
let output = '';
let consoleUrl: string;
const dataDir = mkdtempSync(join(tmpdir(), 'sb-sandbox-test-'));

beforeAll(async () => {
  const [port, consolePort, twilioPort, metaPort, slackPort, smtpPort, sinkPort] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
  consoleUrl = `http://127.0.0.1:${consolePort}`;
  const args = ['--port', port, '--console-port', consolePort, '--twilio-port', twilioPort, '--meta-port', metaPort, '--slack-port', slackPort, '--smtp-port', smtpPort, '--mail-sink-port', sinkPort, '--data-dir', dataDir].map(String);
  proc = spawn(process.execPath, ['--import', 'tsx', 'channels/sandbox/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: redisUrl(), QUEUE_PREFIX: freshQueuePrefix(), DATABASE_URL: '', LOG_LEVEL: 'warn', TURN_BURST_MS: '50' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 90_000;
  while (!/Ctrl-C stops everything|sandbox failed/.test(output) && proc.exitCode === null && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!output.includes('Ctrl-C stops everything')) throw new Error(`the sandbox did not start:\n${output}`);
}, 120_000);
afterAll(async () => {
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${consoleUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};
const sent = async () =>
  (await (await fetch(`${consoleUrl}/sent`)).json()) as { twilio: Array<{ to: string; body: string }>; meta: Array<{ to: string }>; slack: Array<{ text: string }>; email: Array<{ to: string[]; subject: string; inReplyTo?: string }> };

it('prints how to be a customer, with the admin key', () => {
  expect(output).toMatch(/curl -s http:\/\/127\.0\.0\.1:\d+\/sms/);
  expect(output).toMatch(/admin key: sb_admin_sandbox_/);
});

it('answers an SMS, a WhatsApp message, a phone call, a Slack DM and an email through the peers', async () => {
  expect((await post('/sms', { from: '+15557654321', text: 'How do I get a refund?' })).body.status).toBe(200);
  await expect.poll(async () => (await sent()).twilio.filter((m) => m.to === '+15557654321').length, { timeout: 20_000 }).toBe(1);

  expect((await post('/whatsapp', { from: '+5511987654321', name: 'Ana', text: 'Where is my order?' })).body.status).toBe(200);
  await expect.poll(async () => (await sent()).meta.filter((m) => m.to === '5511987654321').length, { timeout: 20_000 }).toBe(1);

  const call = await post('/call', { from: '+15557654322', say: ['How do I get a refund?'] });
  expect(call.status).toBe(200);
  expect(call.body.heard[0].says).toEqual(['Hi, thanks for calling. How can I help you today?']);
  expect(call.body.heard[1].says.join(' ')).toMatch(/refund/i);

  expect((await post('/slack', { user: 'U0CUSTOMER', text: 'How long does shipping take?' })).body.status).toBe(200);
  await expect.poll(async () => (await sent()).slack.length, { timeout: 20_000 }).toBe(1);

  const mail = await post('/email', { from: 'dana@customer.example', subject: 'Refund', text: 'How long do I have to get a refund?' });
  expect(mail.status).toBe(200);
  await expect.poll(async () => (await sent()).email.filter((m) => m.to.includes('dana@customer.example')).length, { timeout: 20_000 }).toBe(1);
  expect((await sent()).email[0]).toMatchObject({ subject: 'Re: Refund', inReplyTo: mail.body.message_id });

  expect((await post('/sms', { from: 'not-a-number', text: 'x' })).status).toBe(400);
}, 90_000);
