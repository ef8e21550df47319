import { describe, expect, it } from 'vitest';
import { emailConfigSchema } from '../../../channels/email/config.ts';
import { parseMail } from '../../../channels/email/parse-mail.ts';
import type { MailEnvelope } from '../../../src/domain/model/adapter.ts';
import type { InboundMessage } from '../../../src/domain/model/messages.ts';

// parseMail on hand-written RFC 5322 messages: the new text only, threading hints, charsets, attachments, automated
// mail (auto-replies, lists, bounces, our own mail) and malformed input, which must be flagged, never thrown.

const config = emailConfigSchema.parse({ address: 'Support@Acme.example', smtp: { host: 'smtp.acme.example' }, max_message_bytes: 4096 });
const now = new Date('2026-11-25T12:00:00Z');

/** Header lines + body, CRLF line ends; the body may be bytes (8-bit charsets). */
function mail(headers: string[], body: string | Buffer = ''): Buffer {
  const head = Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1');
  const rest = typeof body === 'string' ? Buffer.from(body.replace(/\r?\n/g, '\r\n'), 'utf8') : body;
  return Buffer.concat([head, rest]);
}

async function parseOne(raw: Uint8Array, envelope?: MailEnvelope): Promise<InboundMessage> {
  const outcome = await parseMail(raw, { config, channelId: 'chan-mail', envelope, now });
  expect(outcome.type).toBe('messages');
  if (outcome.type !== 'messages') throw new Error('not messages');
  expect(outcome.messages).toHaveLength(1);
  return outcome.messages[0]!;
}

/** A plain mail's headers; `extra` adds headers or replaces those of the same name. */
const base = (extra: string[] = []) => {
  const names = new Set(extra.map((h) => h.slice(0, h.indexOf(':')).toLowerCase()));
  const defaults = [
    'From: Dana Levi <Dana@Customer.example>',
    'To: Acme Support <support@acme.example>',
    'Subject: Hello',
    'Date: Tue, 24 Nov 2026 10:02:11 +0200',
    'Message-ID: <m1@customer.example>',
    'MIME-Version: 1.0',
  ];
  return [...defaults.filter((h) => !names.has(h.slice(0, h.indexOf(':')).toLowerCase())), ...extra];
};

describe('parseMail: a Gmail reply', () => {
  const raw = mail(
    [
      'Return-Path: <dana@customer.example>',
      'From: Dana Levi <Dana@Customer.example>',
      'Reply-To: someone-else@other.example',
      'To: Acme Support <support+k7Qz2@ACME.example>',
      'Subject: Re: [#4821] Refund status',
      'Date: Tue, 24 Nov 2026 10:02:11 +0200',
      'Message-ID: <CAF3x9Qz8w@mail.gmail.com>',
      'In-Reply-To: <0190f3a2-7c1e.k7Qz2@acme.example>',
      'References: <CAF3a1b2@mail.gmail.com> <0190f3a2-7c1e.k7Qz2@acme.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="UTF-8"',
    ],
    'Still nothing on my card, can you check?\n\nOn Mon, 23 Nov 2026 at 18:40, Acme Support <support@acme.example>\nwrote:\n> Your refund was issued today.\n',
  );

  it('keeps only the new text, and the full text in raw', async () => {
    const m = await parseOne(raw);
    expect(m.text).toBe('Still nothing on my card, can you check?');
    expect((m.raw as { text: string }).text).toContain('> Your refund was issued today.');
    expect((m.raw as { headers: Record<string, string> }).headers['message-id']).toBe('<CAF3x9Qz8w@mail.gmail.com>');
  });

  it('identifies the sender by From (lowercased), not Reply-To', async () => {
    const m = await parseOne(raw);
    expect(m.channel).toBe('email');
    expect(m.channelId).toBe('chan-mail');
    expect(m.externalId).toBe('CAF3x9Qz8w@mail.gmail.com');
    expect(m.from).toEqual({ address: 'dana@customer.example', email: 'dana@customer.example', name: 'Dana Levi' });
    expect(m.subject).toBe('Re: [#4821] Refund status');
    expect(m.sentAt.toISOString()).toBe('2026-11-24T08:02:11.000Z');
    expect(m.automated).toBeUndefined();
    expect(m.flags).toBeUndefined();
  });

  it('gives threading hints: In-Reply-To first, token case kept, subject key', async () => {
    const m = await parseOne(raw);
    expect(m.threading).toEqual({
      references: ['0190f3a2-7c1e.k7Qz2@acme.example', 'CAF3a1b2@mail.gmail.com'],
      replyToken: 'k7Qz2',
      subjectKey: 'refund status',
    });
  });
});

describe('parseMail: threading hints', () => {
  it('normalizes a single References id (mailparser gives a string)', async () => {
    const m = await parseOne(mail(base(['References: <only@x.example>']), 'hi'));
    expect(m.threading?.references).toEqual(['only@x.example']);
  });

  it('normalizes many References ids (an array), deduped, in order, after In-Reply-To', async () => {
    const m = await parseOne(
      mail(base(['In-Reply-To: <c@x.example>', 'References: <a@x.example>\r\n <b@x.example> <c@x.example> <a@x.example>']), 'hi'),
    );
    expect(m.threading?.references).toEqual(['c@x.example', 'a@x.example', 'b@x.example']);
  });

  it('finds the plus-token in Cc, Delivered-To, X-Original-To or the envelope, never a bounce- token or another domain', async () => {
    const cases: Array<[string[], MailEnvelope | undefined, string | undefined]> = [
      [['Cc: "Acme" <support+ccTok@acme.example>'], undefined, 'ccTok'],
      [['Delivered-To: SUPPORT+dt1@Acme.Example'], undefined, 'dt1'],
      [['X-Original-To: support+xo9@acme.example'], undefined, 'xo9'],
      [[], { transport: 'smtp', mailFrom: 'dana@customer.example', rcptTo: ['support+envTok@acme.example'] }, 'envTok'],
      [['Cc: support+bounce-abc@acme.example'], undefined, undefined],
      [['Cc: support+k7@other.example, sales+k8@acme.example'], undefined, undefined],
    ];
    for (const [extra, envelope, token] of cases) {
      const m = await parseOne(mail(base(extra), 'hi'), envelope);
      expect(m.threading?.replyToken, extra.join() || 'envelope').toBe(token);
    }
  });
});

describe('parseMail: HTML', () => {
  const html = [
    '<div dir="ltr">Thanks, <b>that worked</b>! <a href="https://shop.example/x" onclick="evil()">order</a>',
    '<img src="x" onerror="alert(1)"><script>alert(2)</script><a href="javascript:alert(3)">bad</a>',
    '<iframe src="https://evil.example"></iframe><form action="/x"><input name="p"></form><style>body{}</style></div>',
    '<div class="gmail_quote"><div class="gmail_attr">On Mon, Support wrote:</div>',
    '<blockquote class="gmail_quote">Old quoted answer</blockquote></div>',
  ].join('\n');

  it('turns HTML-only mail into its new text and keeps a sanitized copy', async () => {
    const m = await parseOne(mail(base(['Content-Type: text/html; charset=utf-8']), html));
    expect(m.text).toBe('Thanks, that worked! order\nbad');
    expect(m.text).not.toContain('Old quoted answer');
    expect((m.raw as { text: string }).text).toContain('Old quoted answer');
    const safe = m.html ?? '';
    expect(safe).toContain('<b>that worked</b>');
    expect(safe).toContain('<a href="https://shop.example/x" rel="noopener noreferrer" target="_blank">order</a>');
    for (const bad of ['<script', 'onerror', 'onclick', 'javascript:', '<iframe', '<form', '<input', '<style', 'alert(2)']) {
      expect(safe, bad).not.toContain(bad);
    }
  });

  it('drops Outlook history after divRplyFwdMsg and Apple/Thunderbird cite blockquotes', async () => {
    const outlook = '<div>New answer here</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Support</div><div>Old text</div>';
    expect((await parseOne(mail(base(['Content-Type: text/html']), outlook))).text).toBe('New answer here');
    const apple = '<div>Mine</div><div class="moz-cite-prefix">On Mon, X wrote:</div><blockquote type="cite">Theirs</blockquote>';
    expect((await parseOne(mail(base(['Content-Type: text/html']), apple))).text).toBe('Mine');
  });

  it('prefers text/plain over HTML in multipart/alternative', async () => {
    const body = [
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Plain version',
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>HTML version</p>',
      '--alt--',
      '',
    ].join('\n');
    const m = await parseOne(mail(base(['Content-Type: multipart/alternative; boundary="alt"']), body));
    expect(m.text).toBe('Plain version');
    expect(m.html).toContain('<p>HTML version</p>');
    expect(m.flags).toBeUndefined();
  });
});

describe('parseMail: charsets', () => {
  it('decodes a windows-1252 body', async () => {
    const body = Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x35, 0x20, 0x93, 0x6f, 0x6b, 0x94]); // Café €5 “ok”
    const m = await parseOne(mail(base(['Content-Type: text/plain; charset=windows-1252', 'Content-Transfer-Encoding: 8bit']), body));
    expect(m.text).toBe('Café €5 “ok”');
  });

  it('decodes an ISO-2022-JP body and an RFC 2047 subject', async () => {
    const jis = Buffer.from([0x1b, 0x24, 0x42, 0x24, 0x33, 0x24, 0x73, 0x24, 0x4b, 0x24, 0x41, 0x24, 0x4f, 0x1b, 0x28, 0x42]); // こんにちは
    const subject = `=?ISO-2022-JP?B?${jis.toString('base64')}?=`;
    const headers = base(['Content-Type: text/plain; charset=ISO-2022-JP', 'Content-Transfer-Encoding: 7bit', `Subject: Re: ${subject}`]);
    const m = await parseOne(mail(headers, Buffer.concat([jis, Buffer.from('\r\n')])));
    expect(m.text).toBe('こんにちは');
    expect(m.subject).toBe('Re: こんにちは');
    expect(m.threading?.subjectKey).toBe('こんにちは');
  });

  it('decodes a KOI8-R quoted-printable body', async () => {
    // "Привет" in KOI8-R: F0 D2 C9 D7 C5 D4
    const m = await parseOne(mail(base(['Content-Type: text/plain; charset=KOI8-R', 'Content-Transfer-Encoding: quoted-printable']), '=F0=D2=C9=D7=C5=D4'));
    expect(m.text).toBe('Привет');
  });
});

describe('parseMail: attachments', () => {
  const pdf = Buffer.from('%PDF-1.4 tiny');
  const png = Buffer.from('89504e470d0a1a0a0000', 'hex');
  const body = (extraPart = '') =>
    [
      '--mix',
      'Content-Type: multipart/related; boundary="rel"',
      '',
      '--rel',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>See <img src="cid:logo@x"></p>',
      '--rel',
      'Content-Type: image/png',
      'Content-ID: <logo@x>',
      'Content-Transfer-Encoding: base64',
      '',
      png.toString('base64'),
      '--rel--',
      '--mix',
      "Content-Type: application/pdf; name*=utf-8''%E2%82%AC%20rates.pdf",
      "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC%20rates.pdf",
      'Content-Transfer-Encoding: base64',
      '',
      pdf.toString('base64'),
      extraPart,
      '--mix--',
      '',
    ].join('\n');

  it('carries attachments inline as base64, names inline images by Content-ID, decodes RFC 2231 names', async () => {
    const m = await parseOne(mail(base(['Content-Type: multipart/mixed; boundary="mix"']), body()));
    expect(m.attachments).toEqual([
      { filename: 'inline-logo@x.png', contentType: 'image/png', size: png.length, base64: png.toString('base64') },
      { filename: '€ rates.pdf', contentType: 'application/pdf', size: pdf.length, base64: pdf.toString('base64') },
    ]);
    expect(m.html).toContain(`src="data:image/png;base64,${png.toString('base64')}"`);
    expect(m.text).toBe('See');
  });

  it('drops an attachment that would pass max_message_bytes, with a flag', async () => {
    const big = [
      '--mix',
      'Content-Type: application/octet-stream',
      'Content-Disposition: attachment; filename="big.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.alloc(5000, 1).toString('base64'),
    ].join('\n');
    const m = await parseOne(mail(base(['Content-Type: multipart/mixed; boundary="mix"']), body(big)));
    expect(m.attachments.map((a) => a.filename)).toEqual(['inline-logo@x.png', '€ rates.pdf']);
    expect(m.flags).toContain('attachment_too_large:big.bin');
  });
});

describe('parseMail: automated mail', () => {
  it('marks auto-replies by header or subject', async () => {
    const cases: string[][] = [
      ['Auto-Submitted: auto-replied'],
      ['Auto-Submitted: auto-generated'],
      ['X-Autoreply: yes'],
      ['X-Auto-Response-Suppress: OOF'],
      ['Precedence: bulk'],
      ['In-Reply-To: <x@acme.example>', 'Subject: Auto: Dana is away'],
    ];
    for (const extra of cases) {
      const m = await parseOne(mail(base(extra), 'I am away'));
      expect(m.automated, extra.join()).toBe('auto_reply');
    }
    for (const subject of ['Automatic reply: Hello', 'Out of Office: Hello', 'Abwesenheitsnotiz: Hallo', '=?UTF-8?Q?R=C3=A9ponse_automatique_:_Bonjour?=', '=?UTF-8?Q?Respuesta_autom=C3=A1tica:_Hola?=']) {
      expect((await parseOne(mail(base([`Subject: ${subject}`]), 'away'))).automated, subject).toBe('auto_reply');
    }
  });

  it('does not mark a person\'s mail, nor Auto-Submitted: no, nor "Auto:" without In-Reply-To', async () => {
    for (const extra of [['Auto-Submitted: no'], ['Subject: Auto: my car insurance'], ['Precedence: normal']]) {
      expect((await parseOne(mail(base(extra), 'hi'))).automated, extra.join()).toBeUndefined();
    }
  });

  it('marks lists and newsletters', async () => {
    expect((await parseOne(mail(base(['List-Id: <news.shop.example>']), 'news'))).automated).toBe('list');
    expect((await parseOne(mail(base(['List-Unsubscribe: <mailto:u@x>', 'Precedence: bulk']), 'news'))).automated).toBe('list');
  });

  it('marks our own mail coming back', async () => {
    expect((await parseOne(mail(base(['X-Switchboard-Id: msg-1']), 'x'))).automated).toBe('own');
    expect((await parseOne(mail(base(['X-Loop: support@acme.example']), 'x'))).automated).toBe('own');
    expect((await parseOne(mail(base(['From: Acme <Support+abc@acme.example>']), 'x'))).automated).toBe('own');
    const ours = base(['Message-ID: <0b5f8a52-3a8e-4c1e-9a55-2f7b7c9d0e11.k7Qz2@acme.example>']);
    expect((await parseOne(mail(ours, 'x'))).automated).toBe('own');
  });
});

describe('parseMail: bounces', () => {
  const dsn = (action: string, status: string) =>
    mail(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
        'Return-Path: <>',
        'To: support+bounce-msg-42@acme.example',
        'Subject: Undelivered Mail Returned to Sender',
        'Date: Tue, 24 Nov 2026 10:05:00 +0000',
        'Message-ID: <dsn1@mx.customer.example>',
        'Auto-Submitted: auto-replied',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      ],
      [
        '--b1',
        'Content-Type: text/plain',
        '',
        'This is the mail system at host mx.customer.example. Your message could not be delivered.',
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.customer.example',
        '',
        'Final-Recipient: rfc822; nobody@customer.example',
        `Action: ${action}`,
        `Status: ${status}`,
        'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
        '--b1',
        'Content-Type: text/rfc822-headers',
        '',
        'Message-ID: <0190f3a2-7c1e.k7Qz2@acme.example>',
        'Subject: Re: Refund',
        '--b1--',
        '',
      ].join('\n'),
    );

  it('reads the DSN: action, status, diagnostic, the original Message-ID and our VERP message id', async () => {
    const m = await parseOne(dsn('failed', '5.1.1'), { transport: 'smtp', mailFrom: '', rcptTo: ['support+bounce-msg-42@acme.example'] });
    expect(m.automated).toBe('bounce');
    expect(m.bounce).toEqual({
      messageId: 'msg-42',
      originalIds: ['0190f3a2-7c1e.k7Qz2@acme.example'],
      action: 'failed',
      status: '5.1.1',
      diagnostic: '550 5.1.1 User unknown',
    });
    expect(m.attachments).toEqual([]);
    expect(m.threading?.replyToken).toBeUndefined();
    expect(m.text).toContain('could not be delivered');
  });

  it('reports a delay as delayed', async () => {
    const m = await parseOne(dsn('delayed', '4.4.1'));
    expect(m.bounce).toMatchObject({ action: 'delayed', status: '4.4.1' });
  });

  it('treats a prose bounce (X-Failed-Recipients) as failed, with ids from the quoted message', async () => {
    const raw = mail(
      [
        'From: postmaster@mx.old.example',
        'To: support+bounce-msg-7@acme.example',
        'Subject: Delivery failure',
        'X-Failed-Recipients: gone@old.example',
        'Message-ID: <p1@mx.old.example>',
      ],
      'Delivery to gone@old.example failed permanently.\n\n------ original message ------\nMessage-ID: <abc.tok@acme.example>\nSubject: Re: hi\n',
    );
    const m = await parseOne(raw);
    expect(m.automated).toBe('bounce');
    expect(m.bounce).toEqual({ messageId: 'msg-7', originalIds: ['abc.tok@acme.example'], action: 'failed' });
  });
});

describe('parseMail: other reports', () => {
  it('reads a read receipt (MDN) as displayed, never as a failure', async () => {
    const raw = mail(
      base(['Subject: Read: Refund', 'Content-Type: multipart/report; report-type=disposition-notification; boundary="b1"']),
      [
        '--b1',
        'Content-Type: text/plain',
        '',
        'Your message was displayed.',
        '--b1',
        'Content-Type: message/disposition-notification',
        '',
        'Reporting-UA: mail.customer.example; Thunderbird',
        'Final-Recipient: rfc822;dana@customer.example',
        'Original-Message-ID: <0190f3a2-7c1e.k7Qz2@acme.example>',
        'Disposition: manual-action/MDN-sent-manually; displayed',
        '--b1--',
        '',
      ].join('\n'),
    );
    const m = await parseOne(raw);
    expect(m.automated).toBe('bounce');
    expect(m.bounce).toEqual({ originalIds: ['0190f3a2-7c1e.k7Qz2@acme.example'], action: 'displayed' });
    expect(m.attachments).toEqual([]);
  });
});

describe('parseMail: malformed and odd input', () => {
  it('flags garbage instead of throwing, with the raw text and a sha256 id', async () => {
    const raw = Buffer.from('\u0000\u00ff\u00fe garbage that is not mail at all', 'latin1');
    const m = await parseOne(raw);
    expect(m.flags).toEqual(['malformed_mime']);
    expect(m.externalId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(m.text).toContain('garbage that is not mail');
    expect(m.text).not.toContain('\u0000');
  });

  it('flags a multipart without its closing boundary but keeps what was read', async () => {
    const m = await parseOne(mail(base(['Content-Type: multipart/mixed; boundary="zz"']), '--zz\nContent-Type: text/plain\n\nTruncated mail body\n'));
    expect(m.flags).toContain('malformed_mime');
    expect(m.text).toBe('Truncated mail body');
    expect(m.externalId).toBe('m1@customer.example');
  });

  it('recovers the body of a mail with no blank line after its headers, flagged', async () => {
    const raw = Buffer.from([...base(['Content-Type: text/plain']), 'Hi, the screen cracked.', 'What now?', ''].join('\r\n'));
    const m = await parseOne(raw);
    expect(m.flags).toContain('malformed_mime');
    expect(m.text).toBe('Hi, the screen cracked.\nWhat now?');
  });

  it('falls back to now and a content hash without Date and Message-ID', async () => {
    const m = await parseOne(mail(['From: a@b.example', 'Subject: x'], 'body'));
    expect(m.sentAt).toEqual(now);
    expect(m.externalId).toMatch(/^sha256:/);
    expect(m.flags).toEqual(expect.arrayContaining(['missing_message_id', 'missing_date']));
  });

  it('ignores empty input', async () => {
    expect((await parseMail(new Uint8Array(), { config, channelId: 'c', now })).type).toBe('ignored');
    expect((await parseMail(Buffer.from('\r\n \r\n'), { config, channelId: 'c', now })).type).toBe('ignored');
  });
});
