import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSmtpListener, type SmtpListener } from '../../../channels/email/server/smtp-listener.ts';
import { startProviderApp, type ProviderApp } from '../../helpers/provider-app.ts';

// Email end to end over real SMTP both ways: a customer's mail (nodemailer) reaches our SMTP listener; the AI's
// reply leaves through the channel's SMTP settings and lands in a local sink (smtp-server) with threading headers
// a mail client follows; the customer's reply, quoted history and all, joins the same session with only its new text.

let p: ProviderApp;
let listener: SmtpListener;
let sink: SMTPServer;
let sinkPort: number;
const received: Array<{ envelope: { from: string; to: string[] }; mail: ParsedMail; raw: Buffer }> = [];
let channel: Awaited<ReturnType<ProviderApp['createChannel']>>;
const SUPPORT = 'support@acme.example';
const WEBHOOK_SECRET = 'mime-webhook-secret-0123456789';

beforeAll(async () => {
  p = await startProviderApp();
  sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((mail) => {
          const env = session.envelope;
          received.push({ envelope: { from: env.mailFrom ? env.mailFrom.address : '', to: env.rcptTo.map((r) => r.address) }, mail, raw });
          callback();
        });
      });
    },
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinkPort = (sink.server.address() as AddressInfo).port;
  channel = await p.createChannel({
    type: 'email',
    name: 'Support email',
    config: { address: SUPPORT, name: 'Acme Support', smtp: { host: '127.0.0.1', port: sinkPort, secure: false }, webhook_secret: WEBHOOK_SECRET },
  });
  listener = await startSmtpListener(p.t.deps, { port: 0, host: '127.0.0.1', maxBytes: 5 * 1024 * 1024 });
});
afterAll(async () => {
  await listener?.close();
  await new Promise<void>((r) => (sink ? sink.close(() => r()) : r()));
  await p?.close();
});

const customer = () => nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
const repliesTo = (address: string) => received.filter((r) => r.envelope.to.includes(address));
const inbound = async () => (await p.messagesOf(channel.id)).filter((m) => m.direction === 'in');

it('keeps the SMTP password out of the config shown to admins', async () => {
  expect(channel.webhook_urls).toEqual({ mime: `${p.publicUrl}/webhooks/${channel.id}/mime` });
  expect(channel.secrets_set).toContain('webhook_secret');
  const patched = await p.t.json('PATCH', `/channels/${channel.id}`, { config: { smtp: { user: 'mailer', pass: 's3cret-pass' } } });
  expect(patched.status).toBe(200);
  expect(patched.body.secrets_set).toContain('smtp.pass');
  expect(patched.body.config.smtp).toMatchObject({ host: '127.0.0.1', port: sinkPort, user: 'mailer' });
  expect(JSON.stringify(patched.body.config)).not.toContain('s3cret-pass');
  // The sink takes no AUTH: back to no credentials.
  const back = await p.t.json('PATCH', `/channels/${channel.id}`, { config: { smtp: { user: null, pass: null } } });
  expect(back.status).toBe(200);
  expect(back.body.secrets_set).not.toContain('smtp.pass');
});

it('answers a mail with a threaded AI reply, and threads the customer’s reply (quoted history stripped) into the same session', async () => {
  const dana = 'dana@customer.example';
  const first = await customer().sendMail({
    from: `Dana Levi <${dana}>`,
    to: SUPPORT,
    subject: 'Refund status',
    text: 'Hi, how long do I have to get a refund?\n\nThanks,\nDana',
    messageId: `<${randomUUID()}@mail.customer.example>`,
  });
  await expect.poll(() => repliesTo(dana).length, { timeout: 15_000 }).toBe(1);
  const reply = repliesTo(dana)[0]!;
  const ourId = reply.mail.messageId!;
  expect(reply.mail.subject).toBe('Re: Refund status');
  expect(reply.mail.inReplyTo).toBe(first.messageId);
  expect([reply.mail.references].flat()).toContain(first.messageId);
  expect(reply.mail.text).toMatch(/30 days/);
  expect(reply.mail.html).toBeTruthy();
  expect(reply.mail.headers.get('auto-submitted')).toBe('auto-replied');
  const replyTo = (reply.mail.replyTo?.value[0]?.address ?? '').toLowerCase();
  expect(replyTo).toMatch(/^support\+[a-z0-9_-]+@acme\.example$/);
  // Bounces come back to a VERP address naming the reply.
  expect(reply.envelope.from).toMatch(/^support\+bounce-[0-9a-f-]{36}@acme\.example$/);

  const [firstStored] = await inbound();
  await customer().sendMail({
    from: `Dana Levi <${dana}>`,
    to: SUPPORT,
    subject: 'Re: Refund status',
    inReplyTo: ourId,
    references: [first.messageId, ourId],
    text: `Still nothing on my card, can you check?\n\nOn Tue, 24 Nov 2026 at 10:02, Acme Support <${SUPPORT}> wrote:\n> You can get a full refund within 30 days.\n> Refunds are paid back to the original card.\n`,
  });
  await expect.poll(async () => (await inbound()).length, { timeout: 10_000 }).toBe(2);
  const second = (await inbound())[1]!;
  expect(second.sessionId).toBe(firstStored!.sessionId);
  expect(second.text).toBe('Still nothing on my card, can you check?');
  const session = await p.t.json('GET', `/chat/sessions/${second.sessionId}`);
  expect(session.body.contact).toMatchObject({ email: dana, name: 'Dana Levi' });
});

it('stores a mail delivered twice (same Message-ID) once', async () => {
  const messageId = `<${randomUUID()}@mail.customer.example>`;
  const mail = { from: 'ben@customer.example', to: SUPPORT, subject: 'Shipping', text: 'How long does shipping take?', messageId };
  await customer().sendMail(mail);
  await customer().sendMail(mail);
  const copies = (await inbound()).filter((m) => `<${m.externalId}>` === messageId);
  expect(copies).toHaveLength(1);
  await expect.poll(() => repliesTo('ben@customer.example').length, { timeout: 15_000 }).toBe(1);
  await new Promise((r) => setTimeout(r, 500));
  expect(repliesTo('ben@customer.example')).toHaveLength(1);
});

it('takes the same mail as raw MIME over the webhook, authenticated per channel', async () => {
  const raw = [
    'From: Chen Wei <chen@customer.example>',
    `To: ${SUPPORT}`,
    'Subject: Where is my parcel?',
    `Message-ID: <${randomUUID()}@mail.customer.example>`,
    'Date: Tue, 24 Nov 2026 10:02:11 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'How long does shipping take to Europe?',
    '',
  ].join('\r\n');
  const post = (headers: Record<string, string>) =>
    fetch(channel.webhook_urls.mime!, { method: 'POST', headers: { 'content-type': 'message/rfc822', ...headers }, body: raw });
  expect((await post({})).status).toBe(401);
  expect((await post({ authorization: 'Bearer wrong-secret-wrong-secret' })).status).toBe(401);
  expect((await post({ authorization: `Bearer ${WEBHOOK_SECRET}` })).status).toBe(200);
  await expect.poll(() => repliesTo('chen@customer.example').length, { timeout: 15_000 }).toBe(1);
  expect(repliesTo('chen@customer.example')[0]!.mail.subject).toBe('Re: Where is my parcel?');
});

it("never answers an auto-reply, and a bounce fails the reply it reports on without opening a session", async () => {
  const eve = 'eve@customer.example';
  await customer().sendMail({ from: eve, to: SUPPORT, subject: 'Refund', text: 'How long do I have to get a refund?' });
  await expect.poll(() => repliesTo(eve).length, { timeout: 15_000 }).toBe(1);
  const reply = repliesTo(eve)[0]!;
  const sessions = new Set((await inbound()).map((m) => m.sessionId)).size;

  await customer().sendMail({
    from: eve,
    to: SUPPORT,
    subject: 'Automatic reply: Re: Refund',
    inReplyTo: reply.mail.messageId!,
    headers: { 'Auto-Submitted': 'auto-replied' },
    text: 'I am out of the office until Monday.',
  });
  const verp = reply.envelope.from;
  const dsn = [
    'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
    `To: ${verp}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <${randomUUID()}@mx.customer.example>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '--b1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.customer.example',
    '',
    `Final-Recipient: rfc822; ${eve}`,
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
    '--b1',
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: ${reply.mail.messageId}`,
    '--b1--',
    '',
  ].join('\r\n');
  await customer().sendMail({ envelope: { from: '', to: [verp] }, raw: dsn });

  await expect
    .poll(async () => (await p.messagesOf(channel.id)).find((m) => m.sender === 'ai' && `<${m.externalId}>` === reply.mail.messageId), { timeout: 10_000 })
    .toMatchObject({ deliveryStatus: 'failed', error: expect.stringMatching(/^bounced: 5\.1\.1/) });
  await new Promise((r) => setTimeout(r, 800));
  expect(repliesTo(eve)).toHaveLength(1);
  expect(new Set((await inbound()).map((m) => m.sessionId)).size).toBe(sessions);
});

it('refuses mail for an address no channel has, at RCPT', async () => {
  await expect(customer().sendMail({ from: 'x@customer.example', to: 'nobody@acme.example', subject: 'x', text: 'x' })).rejects.toMatchObject({ responseCode: 550 });
});

it("sends an agent's reply as normal mail (no Auto-Submitted), in the same thread", async () => {
  const fay = 'fay@customer.example';
  const sent = await customer().sendMail({ from: fay, to: SUPPORT, subject: 'Question', text: 'Can I talk to someone about my order?' });
  await expect.poll(async () => (await inbound()).some((m) => `<${m.externalId}>` === sent.messageId), { timeout: 10_000 }).toBe(true);
  const msg = (await inbound()).find((m) => `<${m.externalId}>` === sent.messageId)!;
  const res = await p.t.json('POST', `/chat/sessions/${msg.sessionId}/send`, { sender: 'agent', message: { type: 'text', text: 'Hi Fay, **happy** to help.' } });
  expect(res.status).toBe(201);
  const isAgents = (r: (typeof received)[number]) => /Hi Fay, \W*happy\W* to help/.test(r.mail.text ?? '');
  await expect.poll(() => repliesTo(fay).some(isAgents), { timeout: 10_000 }).toBe(true);
  const agentMail = repliesTo(fay).find(isAgents)!;
  expect(agentMail.mail.headers.get('auto-submitted')).toBeUndefined();
  expect(agentMail.mail.inReplyTo).toBe(sent.messageId);
  expect(agentMail.mail.html).toContain('<strong>happy</strong>');
});
