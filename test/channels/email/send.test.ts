import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emailConfigSchema } from '../../../channels/email/config.ts';
import { emailAdapter } from '../../../channels/email/index.ts';
import { createLocalBlobStore } from '../../../src/blob/local-blob-store.ts';
import type { AdapterDeps, ChannelAdapter } from '../../../src/domain/model/adapter.ts';
import { createAttachmentLoader } from '../../../src/domain/files/attachment-loader.ts';
import type { OutboundMessage } from '../../../src/domain/model/messages.ts';
import { DeliveryError } from '../../../src/errors.ts';
import { createAddressPolicy } from '../../../src/net/address-policy.ts';
import { createOutboundClient } from '../../../src/net/guarded-fetch.ts';

// Replies through nodemailer to a real SMTP sink (smtp-server on 127.0.0.1): threading headers, VERP envelope,
// automatic-reply marking, DKIM, text + HTML parts, attachments (ours read from the blob store, a sender's link
// fetched through the outbound guard, here allowed to reach the local file host), and every SMTP failure
// classified for the dispatch queue.

interface Received {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

/** What the sink answers to RCPT TO / DATA: 250 by default, or an SMTP error. */
let verdict: { stage: 'rcpt' | 'data'; code: number; text: string } | undefined;
let received: Received[] = [];
let sink: SMTPServer;
let sinkPort: number;
let files: Server;
let filesUrl: string;
/** Paths the file host was asked for. */
let fileRequests: string[] = [];
const blobDir = mkdtempSync(join(tmpdir(), 'sb-email-blobs-'));
const blobs = createLocalBlobStore(blobDir);
// The file host listens on loopback: allowed explicitly, as an operator would with OUTBOUND_ALLOW_CIDRS.
const outbound = createOutboundClient({ policy: createAddressPolicy(['127.0.0.0/8']) });

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

beforeAll(async () => {
  sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // The adapter's pooled connections stay open until idle; do not wait for them when the suite ends.
    closeTimeout: 100,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (verdict?.stage === 'rcpt') return callback(smtpError(verdict.code, verdict.text));
      callback();
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (verdict?.stage === 'data') return callback(smtpError(verdict.code, verdict.text));
        const raw = Buffer.concat(chunks);
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        received.push({ mailFrom, rcptTo: session.envelope.rcptTo.map((r) => r.address), raw, parsed: await simpleParser(raw) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  sinkPort = (sink.server.address() as AddressInfo).port;

  files = createServer((req, res) => {
    fileRequests.push(req.url ?? '');
    if (req.url === '/files/invoice.pdf?sig=ok') {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end(Buffer.from('%PDF-1.4 invoice'));
    } else if (req.url === '/files/huge.bin?sig=ok') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.alloc(8192, 7));
    } else {
      res.writeHead(404).end('gone');
    }
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => sink.close(() => resolve()));
  await new Promise<void>((resolve) => files.close(() => resolve()));
  await outbound.close();
  rmSync(blobDir, { recursive: true, force: true });
});

beforeEach(() => {
  verdict = undefined;
  received = [];
  fileRequests = [];
});

const deps: AdapterDeps = {
  fetch: (input, init) => fetch(input, init),
  now: () => new Date('2026-11-25T12:00:00Z'),
  publicUrl: 'https://switchboard.example',
  realtime: { toContact: async () => 0 },
  loadAttachment: createAttachmentLoader({ blobs, fetch: outbound.fetch }),
};

function makeAdapter(extra: Record<string, unknown> = {}, port = sinkPort): ChannelAdapter {
  const config = emailConfigSchema.parse({
    address: 'support@acme.example',
    name: 'Acme Support',
    smtp: { host: '127.0.0.1', port },
    max_message_bytes: 4096,
    ...extra,
  });
  return emailAdapter.create(config, deps, { id: 'chan-mail', webhookUrls: {} });
}

const reply = (extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  messageId: 'msg-1',
  sessionId: 'sess-1',
  to: { address: 'dana@customer.example', name: 'Dana Levi' },
  text: 'Hello **Dana**,\nyour refund is on its way: https://shop.example/r?id=1&x=2\n\nSee [the FAQ](https://shop.example/faq) <script>',
  attachments: [],
  subject: '[#4821] Refund status',
  senderType: 'agent',
  threading: { inReplyTo: 'CAF3x9Qz8w@mail.gmail.com', references: ['CAF3a1b2@mail.gmail.com'], replyToken: 'k7Qz2' },
  ...extra,
});

const header = (m: Received, name: string) => m.parsed.headerLines.find((l) => l.key === name)?.line.replace(/^[^:]+:\s*/, '');

describe('email send: headers and envelope', () => {
  it('threads the reply and returns our Message-ID (made from our message id) as the receipt', async () => {
    const receipt = await makeAdapter().send(reply(), AbortSignal.timeout(10_000));
    expect(receipt.status).toBe('sent');
    // The same reply sent again (after a crash mid-send) is the same mail to the receiver.
    expect(receipt.externalId).toBe('msg-1.k7Qz2@acme.example');
    expect(received).toHaveLength(1);
    const m = received[0]!;
    expect(m.parsed.messageId).toBe(`<${receipt.externalId}>`);
    expect(m.parsed.inReplyTo).toBe('<CAF3x9Qz8w@mail.gmail.com>');
    expect(m.parsed.references).toEqual(['<CAF3a1b2@mail.gmail.com>', '<CAF3x9Qz8w@mail.gmail.com>']);
    expect(m.parsed.subject).toBe('Re: [#4821] Refund status');
    expect(m.parsed.from?.value[0]).toEqual({ address: 'support@acme.example', name: 'Acme Support' });
    expect(m.parsed.to).toMatchObject({ value: [{ address: 'dana@customer.example', name: 'Dana Levi' }] });
    expect(m.parsed.replyTo?.value[0]?.address).toBe('support+k7Qz2@acme.example');
    expect(header(m, 'x-switchboard-id')).toBe('msg-1');
    expect(header(m, 'x-loop')).toBe('support@acme.example');
  });

  it('sends from a VERP address naming the message, to the customer only', async () => {
    await makeAdapter().send(reply(), AbortSignal.timeout(10_000));
    expect(received[0]!.mailFrom).toBe('support+bounce-msg-1@acme.example');
    expect(received[0]!.rcptTo).toEqual(['dana@customer.example']);
  });

  it('marks AI and system replies as automatic, never a human agent\'s', async () => {
    const adapter = makeAdapter();
    for (const senderType of ['ai', 'system', 'agent'] as const) await adapter.send(reply({ senderType }), AbortSignal.timeout(10_000));
    const [ai, system, agent] = received;
    expect(header(ai!, 'auto-submitted')).toBe('auto-replied');
    expect(header(ai!, 'x-auto-response-suppress')).toBe('All');
    expect(header(system!, 'auto-submitted')).toBe('auto-replied');
    expect(header(agent!, 'auto-submitted')).toBeUndefined();
    expect(header(agent!, 'x-auto-response-suppress')).toBeUndefined();
  });

  it('keeps the first and the last ten References of a long thread', async () => {
    const references = Array.from({ length: 15 }, (_, i) => `<r${i}@x.example>`);
    await makeAdapter().send(reply({ threading: { inReplyTo: 'last@x.example', references, replyToken: 'k7Qz2' } }), AbortSignal.timeout(10_000));
    const refs = received[0]!.parsed.references as string[];
    expect(refs).toHaveLength(11);
    expect(refs[0]).toBe('<r0@x.example>');
    expect(refs.slice(1)).toEqual([...references.slice(6), '<last@x.example>']);
  });

  it('says "Re: " once, and has a subject when the session has none', async () => {
    const adapter = makeAdapter();
    await adapter.send(reply({ subject: 'RE: Refund' }), AbortSignal.timeout(10_000));
    await adapter.send(reply({ subject: undefined }), AbortSignal.timeout(10_000));
    expect(received.map((r) => r.parsed.subject)).toEqual(['RE: Refund', 'Re: Your message']);
  });

  it('sends text and a safe HTML rendering of it', async () => {
    await makeAdapter().send(reply(), AbortSignal.timeout(10_000));
    const m = received[0]!.parsed;
    expect(m.text?.trim()).toBe(reply().text);
    const html = String(m.html);
    expect(html).toContain('Hello <strong>Dana</strong>,<br>');
    expect(html).toContain('<a href="https://shop.example/r?id=1&amp;x=2" rel="noopener noreferrer" target="_blank">');
    expect(html).toContain('<a href="https://shop.example/faq" rel="noopener noreferrer" target="_blank">the FAQ</a>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
  });

  it('signs with DKIM when configured', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    await makeAdapter({ dkim: { domain_name: 'acme.example', key_selector: 's1', private_key: privateKey } }).send(reply(), AbortSignal.timeout(10_000));
    const signature = header(received[0]!, 'dkim-signature') ?? '';
    expect(signature).toMatch(/\bd=acme\.example;/);
    expect(signature).toMatch(/\bs=s1;/);
    expect(signature).toMatch(/\ba=rsa-sha256;/);
    await makeAdapter().send(reply(), AbortSignal.timeout(10_000));
    expect(header(received[1]!, 'dkim-signature')).toBeUndefined();
  });
});

describe('email send: attachments', () => {
  it('attaches a file we hold from the blob store, never over our own signed link', async () => {
    const stored = await blobs.put(Buffer.from('%PDF-1.4 stored invoice'), 'application/pdf');
    const link = `${filesUrl}/files/invoice.pdf?sig=ok`;
    const attachments = [{ filename: 'invoice.pdf', contentType: 'application/pdf', url: link, blobKey: stored.key }];
    await makeAdapter().send(reply({ attachments }), AbortSignal.timeout(10_000));
    const [file] = received[0]!.parsed.attachments;
    expect(file?.filename).toBe('invoice.pdf');
    expect(file?.contentType).toBe('application/pdf');
    expect(file?.content.toString()).toBe('%PDF-1.4 stored invoice');
    expect(fileRequests).toEqual([]);
  });

  it('attaches a file fetched from the link its sender gave', async () => {
    const attachments = [{ filename: 'invoice.pdf', contentType: 'application/pdf', url: `${filesUrl}/files/invoice.pdf?sig=ok` }];
    await makeAdapter().send(reply({ attachments }), AbortSignal.timeout(10_000));
    expect(received[0]!.parsed.attachments[0]?.content.toString()).toBe('%PDF-1.4 invoice');
    expect(fileRequests).toEqual(['/files/invoice.pdf?sig=ok']);
  });

  it('refuses a dead link or files over max_message_bytes, before any SMTP', async () => {
    const adapter = makeAdapter();
    const dead = [{ filename: 'x.pdf', contentType: 'application/pdf', url: `${filesUrl}/files/expired` }];
    await expect(adapter.send(reply({ attachments: dead }), AbortSignal.timeout(10_000))).rejects.toMatchObject({
      retry: 'never',
      message: 'attachment_unreachable: x.pdf: HTTP 404',
    });
    const huge = [{ filename: 'huge.bin', contentType: 'application/octet-stream', url: `${filesUrl}/files/huge.bin?sig=ok` }];
    await expect(adapter.send(reply({ attachments: huge }), AbortSignal.timeout(10_000))).rejects.toMatchObject({
      retry: 'never',
      message: expect.stringMatching(/^attachment_too_large: huge\.bin: /),
    });
    const big = await blobs.put(Buffer.alloc(8192, 1), 'application/octet-stream');
    const stored = [{ filename: 'big.bin', contentType: 'application/octet-stream', blobKey: big.key }];
    await expect(adapter.send(reply({ attachments: stored }), AbortSignal.timeout(10_000))).rejects.toMatchObject({ retry: 'never' });
    expect(received).toEqual([]);
  });
});

describe('email send: failures', () => {
  it('retries later on a 4xx', async () => {
    verdict = { stage: 'rcpt', code: 451, text: '4.7.1 Try again later' };
    const err = await makeAdapter().send(reply(), AbortSignal.timeout(10_000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ retry: 'later', extra: { providerCode: '451' } });
  });

  it('gives up on a 5xx with the server\'s reason', async () => {
    verdict = { stage: 'rcpt', code: 550, text: '5.1.1 user unknown' };
    const err = await makeAdapter().send(reply(), AbortSignal.timeout(10_000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ retry: 'never', message: 'smtp 550: 5.1.1 user unknown' });
  });

  it('gives up on a 5xx refusing the message data', async () => {
    verdict = { stage: 'data', code: 554, text: '5.7.1 Message rejected as spam' };
    const err = await makeAdapter().send(reply(), AbortSignal.timeout(10_000)).catch((e: unknown) => e);
    expect(err).toMatchObject({ retry: 'never', message: 'smtp 554: 5.7.1 Message rejected as spam' });
  });

  it('retries later when the relay refuses the connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await makeAdapter({}, port).send(reply(), AbortSignal.timeout(10_000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ retry: 'later' });
  });

  it('refuses a reply without threading', async () => {
    const err = await makeAdapter().send(reply({ threading: undefined }), AbortSignal.timeout(10_000)).catch((e: unknown) => e);
    expect(err).toMatchObject({ retry: 'never' });
    expect(received).toEqual([]);
  });
});
