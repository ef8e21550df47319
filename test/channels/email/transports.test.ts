import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/client.ts';
import { mailboxCursors, sessions } from '../../../src/db/schema/index.ts';
import { startImapPolling, type ImapPoller } from '../../../channels/email/server/imap-poller.ts';
import { startSmtpListener, type SmtpListener } from '../../../channels/email/server/smtp-listener.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { startProviderApp, type ProviderApp } from '../../helpers/provider-app.ts';
import { freePort } from '../../helpers/server.ts';
import { IngestBatcher } from '../../../src/domain/inbound/ingest-batch.ts';

// The email channel's own transports against real servers: our SMTP listener driven by nodemailer, and IMAP
// polling of Debian's dovecot on loopback. Both feed the email adapter and core's ingest on a real database.

const SUPPORT = 'support@acme.example';
const MAX_BYTES = 64 * 1024;

let p: ProviderApp;
let sink: SMTPServer;
let dove: Dovecot | undefined;
let dovecotError: unknown;
let listener: SmtpListener;
let support: Awaited<ReturnType<ProviderApp['createChannel']>>;
let sales: Awaited<ReturnType<ProviderApp['createChannel']>>;

beforeAll(async () => {
  p = await startProviderApp({}, { workers: false });
  // Where the channels would send replies (no workers run here, so nothing is sent).
  sink = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, onData: (s, _x, cb) => s.on('end', () => cb()).resume() });
  const sinkPort = await freePort();
  await new Promise<void>((resolve) => sink.listen(sinkPort, '127.0.0.1', resolve));
  // Without dovecot the SMTP half still runs; the IMAP half fails with the install hint.
  dove = await startDovecot().catch((err: unknown) => void (dovecotError = err));
  const imap = dove && { host: dove.host, port: dove.port, secure: false, user: dove.user, pass: dove.pass, poll_seconds: 5, tls_reject_unauthorized: false };
  const smtp = { host: '127.0.0.1', port: sinkPort };
  support = await p.createChannel({ type: 'email', name: 'Support email', config: { address: SUPPORT, smtp, ...(imap ? { imap } : {}) } });
  sales = await p.createChannel({ type: 'email', name: 'Sales email', config: { address: 'sales@acme.example', smtp } });
  listener = await startSmtpListener(p.t.deps, { port: 0, host: '127.0.0.1', maxBytes: MAX_BYTES });
}, 60_000);

afterAll(async () => {
  await listener?.close();
  await dove?.stop();
  await new Promise<void>((resolve) => (sink ? sink.close(() => resolve()) : resolve()));
  await p?.close();
});

let seq = 0;
/** A raw customer mail with a fresh Message-ID (or the one given). */
function mime(body: string, opts: { id?: string; to?: string; from?: string } = {}): { id: string; raw: string } {
  const id = opts.id ?? `m${++seq}.${Date.now()}@customer.example`;
  const raw = [
    `From: Dana Levi <${opts.from ?? 'dana@customer.example'}>`,
    `To: Acme Support <${opts.to ?? SUPPORT}>`,
    `Subject: Order question ${seq}`,
    `Message-ID: <${id}>`,
    'Date: Tue, 24 Nov 2026 10:02:11 +0200',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="UTF-8"',
    '',
    body,
    '',
  ].join('\r\n');
  return { id, raw };
}

const smtpSend = (raw: string, to: string[], from = 'dana@customer.example') =>
  nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true }).sendMail({ envelope: { from, to }, raw });

const storedWith = async (channelId: string, externalId: string) => (await p.messagesOf(channelId)).filter((m) => m.externalId === externalId);
const contactOf = async (sessionId: string) =>
  (await p.t.database.db.select({ contactId: sessions.contactId }).from(sessions).where(eq(sessions.id, sessionId)))[0]?.contactId;
const inbound = async (channelId: string) => (await p.messagesOf(channelId)).filter((m) => m.direction === 'in');

describe('SMTP listener', () => {
  it('accepts mail for a channel address and answers 250 only once it is stored; the same Message-ID twice is stored once', async () => {
    const { id, raw } = mime('Where is my order #1042?');
    const info = await smtpSend(raw, [SUPPORT]);
    expect(info.accepted).toEqual([SUPPORT]);
    expect(info.response).toMatch(/^250 /);
    // No polling: the 250 itself promises the message is committed.
    const [row, ...more] = await storedWith(support.id, id);
    expect(more).toHaveLength(0);
    expect(row!.text).toContain('Where is my order #1042?');
    expect(row!.direction).toBe('in');

    const again = await smtpSend(raw, [SUPPORT]);
    expect(again.response).toMatch(/^250 /);
    expect(await storedWith(support.id, id)).toHaveLength(1);
  });

  it('refuses an unknown recipient at RCPT with 550 5.1.1 and stores nothing', async () => {
    const before = (await inbound(support.id)).length;
    const { raw } = mime('hello?', { to: 'nobody@acme.example' });
    const err = await smtpSend(raw, ['nobody@acme.example']).then(() => undefined, (e: Error & { responseCode?: number; response?: string; command?: string }) => e);
    expect(err?.responseCode).toBe(550);
    expect(err?.response).toMatch(/^550 5\.1\.1 No such mailbox here/);
    expect(err?.command).toMatch(/RCPT/i);
    expect((await inbound(support.id)).length).toBe(before);

    // With a known recipient in the same transaction only the unknown one is refused.
    const mixed = mime('Refund please');
    const info = await smtpSend(mixed.raw, ['nobody@acme.example', SUPPORT]);
    expect(info.accepted).toEqual([SUPPORT]);
    expect(info.rejected).toEqual(['nobody@acme.example']);
    expect(await storedWith(support.id, mixed.id)).toHaveLength(1);
  });

  it('refuses a message over the size limit with 552 5.3.4 naming the limit, and stores nothing', async () => {
    const { id, raw } = mime('x'.repeat(76).concat('\r\n').repeat(Math.ceil((MAX_BYTES + 1000) / 78)));
    const err = await smtpSend(raw, [SUPPORT]).then(() => undefined, (e: Error & { responseCode?: number; response?: string }) => e);
    expect(err?.responseCode).toBe(552);
    expect(err?.response).toMatch(new RegExp(`^552 5\\.3\\.4 .*${MAX_BYTES} bytes`));
    expect(await storedWith(support.id, id)).toHaveLength(0);
  });

  it('accepts plus-addresses (any case) of the support address', async () => {
    const { id, raw } = mime('Replying to the ticket', { to: 'support+k7Qz2@acme.example' });
    const info = await smtpSend(raw, ['Support+k7Qz2@ACME.example']);
    expect(info.rejected).toEqual([]);
    expect(info.accepted).toHaveLength(1);
    expect(await storedWith(support.id, id)).toHaveLength(1);
  });

  it('delivers one transaction addressed to two channels to each of them', async () => {
    const { id, raw } = mime('For both teams');
    await smtpSend(raw, [SUPPORT, 'sales@acme.example']);
    expect(await storedWith(support.id, id)).toHaveLength(1);
    expect(await storedWith(sales.id, id)).toHaveLength(1);
  });

  it('offers STARTTLS only when a certificate is configured, and takes mail over it', async () => {
    const { raw } = mime('plain only');
    const plainOnly = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, requireTLS: true });
    await expect(plainOnly.sendMail({ envelope: { from: 'dana@customer.example', to: [SUPPORT] }, raw })).rejects.toThrow(/STARTTLS/);

    const dir = mkdtempSync(join(tmpdir(), 'sb-smtp-tls-'));
    const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=mx.acme.example', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    const tlsListener = await startSmtpListener(p.t.deps, { port: 0, host: '127.0.0.1', maxBytes: MAX_BYTES, tls: { key: readFileSync(keyFile), cert: readFileSync(certFile) } });
    try {
      const { id, raw: secret } = mime('Sent over STARTTLS');
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: tlsListener.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
      const info = await transport.sendMail({ envelope: { from: 'dana@customer.example', to: [SUPPORT] }, raw: secret });
      expect(info.response).toMatch(/^250 /);
      expect(await storedWith(support.id, id)).toHaveLength(1);
    } finally {
      await tlsListener.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 451 4.3.0 when the message cannot be committed, so the sender retries; the retry is stored', async () => {
    const db = p.t.deps.db;
    const broken = new Proxy(db, {
      get: (target, key) => {
        if (key === 'transaction' || key === 'insert') return () => Promise.reject(new Error('database unavailable'));
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Db;
    // The group commit writes with its own handle on the database: it gets the broken one too.
    const batcher = new IngestBatcher({ ...p.t.deps, database: { db: broken } });
    const failing = await startSmtpListener({ ...p.t.deps, db: broken, batcher }, { port: 0, host: '127.0.0.1', maxBytes: MAX_BYTES });
    const { id, raw } = mime('Is anyone there?', { from: 'new.customer@customer.example' });
    try {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: failing.port, secure: false, ignoreTLS: true });
      const err = await transport.sendMail({ envelope: { from: 'new.customer@customer.example', to: [SUPPORT] }, raw }).then(() => undefined, (e: Error & { responseCode?: number; response?: string }) => e);
      expect(err?.responseCode).toBe(451);
      expect(err?.response).toMatch(/^451 4\.3\.0 /);
    } finally {
      await failing.close();
    }
    expect(await storedWith(support.id, id)).toHaveLength(0);
    await smtpSend(raw, [SUPPORT], 'new.customer@customer.example');
    expect(await storedWith(support.id, id)).toHaveLength(1);
  });
});

describe('IMAP polling', () => {
  let poller: ImapPoller | undefined;
  let mailbox: Dovecot;

  beforeAll(async () => {
    if (!dove) throw dovecotError instanceof Error ? dovecotError : new Error(String(dovecotError));
    mailbox = dove;
    // A channel whose server is down: its failure must not hold up the others.
    const deadPort = await freePort();
    await p.createChannel({
      type: 'email',
      name: 'Broken mailbox',
      config: { address: 'broken@acme.example', smtp: { host: '127.0.0.1', port: deadPort }, imap: { host: '127.0.0.1', port: deadPort, secure: false, user: 'x', pass: 'y', tls_reject_unauthorized: false } },
    });
  });
  afterAll(async () => {
    await poller?.close();
  });

  const cursor = async () =>
    (await p.t.database.db.select().from(mailboxCursors).where(and(eq(mailboxCursors.channelId, support.id), eq(mailboxCursors.mailbox, 'INBOX'))))[0];
  /** Clears \Seen on a message the way a person in the shared mailbox would ("mark as unread"). */
  const markUnread = async (uid: number) => {
    const c = new ImapFlow({ host: mailbox.host, port: mailbox.port, secure: false, auth: { user: mailbox.user, pass: mailbox.pass }, logger: false });
    await c.connect();
    await c.mailboxOpen('INBOX');
    await c.messageFlagsRemove(String(uid), ['\\Seen'], { uid: true });
    await c.logout();
  };

  const first = mime('Can I change my delivery address?');
  const second = mime('Also: do you ship to Norway?');

  const alreadyRead = mime('An old conversation from last year, read long ago.');

  it('fetches new mail once, stores it like SMTP mail, and marks it \\Seen; mail read before the mailbox was connected is left alone', async () => {
    await mailbox.append(alreadyRead.raw, ['\\Seen']);
    await mailbox.append(first.raw);
    await mailbox.append(second.raw);
    expect(await mailbox.seenUids()).toEqual([1]);
    poller = startImapPolling(p.t.deps, { intervalMs: 60_000 });
    await poller.pollNow();

    expect(await mailbox.seenUids()).toEqual([1, 2, 3]);
    expect(await storedWith(support.id, alreadyRead.id)).toEqual([]);
    const [a] = await storedWith(support.id, first.id);
    const [b] = await storedWith(support.id, second.id);
    expect(a?.text).toContain('Can I change my delivery address?');
    expect(b?.text).toContain('Also: do you ship to Norway?');
    // The same sender as the first SMTP mail: the same contact, as if this mail too had come over SMTP.
    const [viaSmtp] = await inbound(support.id);
    expect(a!.senderName).toBe(viaSmtp!.senderName);
    expect(await contactOf(a!.sessionId)).toBe(await contactOf(viaSmtp!.sessionId));
    expect(await cursor()).toMatchObject({ lastUid: 3 });
  });

  it('fetches nothing on the next poll, nor after a restart: the cursor is in the database', async () => {
    // Were uid 2 (the first new mail) fetched again it would be flagged \Seen again.
    await markUnread(2);
    const count = (await inbound(support.id)).length;
    await poller!.pollNow();
    expect(await mailbox.seenUids()).toEqual([1, 3]);

    await poller!.close();
    poller = startImapPolling(p.t.deps, { intervalMs: 60_000 });
    await poller.pollNow();
    expect(await mailbox.seenUids()).toEqual([1, 3]);
    expect((await inbound(support.id)).length).toBe(count);

    const third = mime('One more thing about my order');
    await mailbox.append(third.raw);
    await poller.pollNow();
    expect(await mailbox.seenUids()).toEqual([1, 3, 4]);
    expect(await storedWith(support.id, third.id)).toHaveLength(1);
    expect((await inbound(support.id)).length).toBe(count + 1);
    expect(await cursor()).toMatchObject({ lastUid: 4 });
  });

  it('rereads the unread mail when UIDVALIDITY changes, storing nothing twice', async () => {
    const real = (await cursor())!.uidValidity;
    await p.t.database.db.update(mailboxCursors).set({ uidValidity: real - 1 }).where(eq(mailboxCursors.channelId, support.id));
    const count = (await inbound(support.id)).length;
    await poller!.pollNow();
    // uid 2 was unread: the resync read it again (and dropped the copy by Message-ID).
    expect(await mailbox.seenUids()).toEqual([1, 2, 3, 4]);
    expect((await inbound(support.id)).length).toBe(count);
    expect(await cursor()).toMatchObject({ uidValidity: real, lastUid: 4 });
  });

  it('polls on its own timer, and close() stops it', async () => {
    await poller!.close();
    poller = startImapPolling(p.t.deps, { intervalMs: 100 });
    const fourth = mime('Found my tracking number, thanks');
    await mailbox.append(fourth.raw);
    await expect.poll(async () => (await storedWith(support.id, fourth.id)).length, { timeout: 10_000 }).toBe(1);
    expect(await mailbox.seenUids()).toEqual([1, 2, 3, 4, 5]);

    await poller.close();
    const fifth = mime('Sent after the poller stopped');
    await mailbox.append(fifth.raw);
    await new Promise((r) => setTimeout(r, 400));
    expect(await storedWith(support.id, fifth.id)).toHaveLength(0);
    expect(await mailbox.seenUids()).toEqual([1, 2, 3, 4, 5]);
  });
});
