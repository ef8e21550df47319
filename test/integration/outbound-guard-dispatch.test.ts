import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../src/db/schema/index.ts';
import { startSmtpListener, type SmtpListener } from '../../channels/email/server/smtp-listener.ts';
import { type SlackPeer, startSlackPeer } from '../../channels/slack/peer/slack-peer.ts';
import { type ProviderApp, startProviderApp } from '../helpers/provider-app.ts';
import { type RecordingPeer, startRecordingPeer } from '../peers/recording-peer.ts';

// The SSRF of issue 13 end to end, with the default outbound policy: an agent's reply whose attachment link names a
// host resolving to loopback (localhost passes the API's literal check) fails at dispatch at once — one attempt,
// attachment_blocked — and the internal service it points at never sees a request; the session's later replies
// still go. A file we hold still travels, read from the blob store (PUBLIC_URL here is loopback, which the policy
// refuses). Email through a local SMTP sink, Slack through the Slack peer (provider hosts: not guarded).

let p: ProviderApp;
let internal: RecordingPeer;
let sink: SMTPServer;
let listener: SmtpListener;
let slack: SlackPeer;
const mails: ParsedMail[] = [];
let emailChannel: Awaited<ReturnType<ProviderApp['createChannel']>>;
let slackChannel: Awaited<ReturnType<ProviderApp['createChannel']>>;
const SUPPORT = 'support@acme.example';

beforeAll(async () => {
  p = await startProviderApp();
  internal = await startRecordingPeer();
  sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      void simpleParser(stream).then((mail) => {
        mails.push(mail);
        callback();
      });
    },
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const smtp = { host: '127.0.0.1', port: (sink.server.address() as AddressInfo).port, secure: false };
  emailChannel = await p.createChannel({ type: 'email', name: 'Support email', config: { address: SUPPORT, smtp, webhook_secret: 'mime-webhook-secret-0123456789' } });
  listener = await startSmtpListener(p.t.deps, { port: 0, host: '127.0.0.1', maxBytes: 1024 * 1024 });
  slack = await startSlackPeer();
  slackChannel = await p.createChannel({ type: 'slack', name: 'Slack', config: { bot_token: slack.botToken, signing_secret: slack.signingSecret, api_base_url: `${slack.url}/api` } });
});
afterAll(async () => {
  await listener?.close();
  await new Promise<void>((r) => (sink ? sink.close(() => r()) : r()));
  await slack?.close();
  await internal?.close();
  await p?.close();
});

const internalUrl = () => `http://localhost:${internal.port}/report.pdf`;

async function agentSends(sessionId: string, text: string, attachments: Array<Record<string, string>> = []): Promise<string> {
  const res = await p.t.json('POST', `/chat/sessions/${sessionId}/send`, { sender: 'agent', message: { type: 'text', text, attachments } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.message.id;
}

const message = async (id: string) => (await p.t.deps.db.select().from(messages).where(eq(messages.id, id)))[0]!;

/** The reply once dispatch is done with it (sent, delivered or failed). */
async function settled(id: string) {
  await expect.poll(async () => (await message(id)).deliveryStatus, { timeout: 15_000 }).not.toBe('queued');
  return message(id);
}

/** The failed reply's dispatch job ran once: no retries held up the session. */
async function expectOneAttempt(messageId: string) {
  const job = () => p.t.deps.queues.dispatch.getJob(`dispatch-${messageId}`);
  await expect.poll(async () => (await job())?.getState()).toBe('failed');
  expect((await job())!.attemptsStarted).toBe(1);
}

describe('email reply attachments', () => {
  it('fails a reply linking to a name that resolves to loopback at once; fetches nothing; later replies still go', async () => {
    const customer = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
    const dana = 'dana@customer.example';
    await customer.sendMail({ from: dana, to: SUPPORT, subject: 'Invoice', text: 'Can you send my invoice?', messageId: `<${randomUUID()}@customer.example>` });
    await expect.poll(() => mails.length, { timeout: 15_000 }).toBe(1);
    const [inbound] = (await p.messagesOf(emailChannel.id)).filter((m) => m.direction === 'in');
    const sessionId = inbound!.sessionId;

    const blocked = await agentSends(sessionId, 'Here is your invoice', [{ name: 'report.pdf', mime_type: 'application/pdf', url: internalUrl() }]);
    expect(await settled(blocked)).toMatchObject({ deliveryStatus: 'failed', error: 'attachment_blocked: report.pdf: localhost resolves to a loopback address' });
    await expectOneAttempt(blocked);
    expect(internal.requests).toEqual([]);

    const stored = Buffer.from('%PDF-1.4 invoice').toString('base64');
    const later = await agentSends(sessionId, 'Attached instead', [{ name: 'invoice.pdf', mime_type: 'application/pdf', base64: stored }]);
    expect((await settled(later)).deliveryStatus).toBe('sent');
    await expect.poll(() => mails.length, { timeout: 10_000 }).toBe(2);
    expect(mails[1]!.text).toContain('Attached instead');
    expect(mails[1]!.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['invoice.pdf', '%PDF-1.4 invoice']]);
    expect(mails.map((m) => m.text).join('\n')).not.toContain('Here is your invoice');
  });
});

describe('Slack reply attachments', () => {
  it('fails a reply linking to a name that resolves to loopback at once, uploads nothing; later replies still go', async () => {
    const dm = await slack.dm(slackChannel.webhook_urls.events!, { user: 'U0CUST', text: 'Send me the report please' });
    expect(dm.status).toBe(200);
    await slack.waitForPosted(1, 15_000);
    const [inbound] = (await p.messagesOf(slackChannel.id)).filter((m) => m.direction === 'in');

    const blocked = await agentSends(inbound!.sessionId, 'Here is the report', [{ name: 'report.pdf', mime_type: 'application/pdf', url: internalUrl() }]);
    expect(await settled(blocked)).toMatchObject({ deliveryStatus: 'failed', error: 'attachment_blocked: report.pdf: localhost resolves to a loopback address' });
    await expectOneAttempt(blocked);
    expect(internal.requests).toEqual([]);
    expect(slack.uploads).toEqual([]);
    expect(slack.posted.map((m) => m.text)).not.toContain('Here is the report');

    const later = await agentSends(inbound!.sessionId, 'Sorry, here it is in words');
    expect((await settled(later)).deliveryStatus).toBe('delivered');
    expect(slack.posted.at(-1)!.text).toContain('Sorry, here it is in words');
  });
});
