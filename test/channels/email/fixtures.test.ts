import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emailConfigSchema } from '../../../channels/email/config.ts';
import { parseMail } from '../../../channels/email/parse-mail.ts';
import type { MailEnvelope, ParseOutcome } from '../../../src/domain/model/adapter.ts';
import type { InboundMessage } from '../../../src/domain/model/messages.ts';
import { type EmailExpectation, loadEmailFixtures } from '../../fixtures/email/expectations.ts';

// Real-world-shaped mail (test/fixtures/email/*.eml, CRLF as MTAs deliver it) against what a support agent should
// see: the sender, the new text only, attachments with their bytes, the threading hints, and whether the mail is
// automated. Expectations live in expected.json (conventions in the README beside it); they describe the mail,
// not whatever the parser happens to return.

const { files, expectations, raw } = loadEmailFixtures();

const config = emailConfigSchema.parse({ address: 'support@acme.example', smtp: { host: '127.0.0.1' } });
const now = new Date('2026-11-24T18:00:00Z');

function parse(file: string): Promise<ParseOutcome> {
  const envelope: MailEnvelope | undefined = expectations[file]?.envelope;
  return parseMail(raw(file), { config, channelId: 'chan-email', now, ...(envelope ? { envelope } : {}) });
}

/** Line endings and trailing blanks are transport noise, not content. */
const tidy = (s: string) =>
  s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
/** For substring checks: how an HTML → text step wraps lines is not content either. */
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
const sorted = (xs: readonly string[]) => [...new Set(xs)].sort();
const mediaType = (ct: string) => ct.split(';')[0]!.trim().toLowerCase();

describe('email fixtures', () => {
  it('has at least 20 fixtures, each with an expectation and no expectation without a fixture', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(files.filter((f) => !expectations[f]), 'fixtures without an expectation').toEqual([]);
    expect(Object.keys(expectations).filter((f) => !files.includes(f)), 'expectations without a fixture').toEqual([]);
  });

  it('the fixtures are delivered as MTAs deliver them: CRLF only, lines of at most 998 octets', () => {
    for (const file of files) {
      const text = Buffer.from(raw(file)).toString('latin1');
      expect(/(^|[^\r])\n/.test(text), `${file}: bare LF`).toBe(false);
      expect(text.split('\r\n').every((l) => l.length <= 998), `${file}: line over 998 octets`).toBe(true);
    }
  });

  it('no fixture makes parseMail throw, and none is dropped', async () => {
    const problems: string[] = [];
    for (const file of files) {
      try {
        const outcome = await parse(file);
        if (outcome.type !== 'messages' || outcome.messages.length !== 1) problems.push(`${file}: ${outcome.type}`);
      } catch (err) {
        problems.push(`${file}: threw ${String(err)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('a mail without Message-ID gets the same sha256 id every time it is parsed', async () => {
    const noId = files.filter((f) => expectations[f]?.externalId === 'sha256:*');
    expect(noId.length).toBeGreaterThan(0);
    for (const file of noId) {
      const [a, b] = await Promise.all([parse(file), parse(file)]);
      const id = (o: ParseOutcome) => (o.type === 'messages' ? o.messages[0]?.externalId : undefined);
      expect(id(a), file).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(id(b), file).toBe(id(a));
    }
  });

  it.each(files)('%s', async (file) => {
    const want = expectations[file]!;
    const outcome = await parse(file);
    expect(outcome.type, `${file}: outcome`).toBe('messages');
    if (outcome.type !== 'messages') return;
    expect(outcome.messages, `${file}: one message`).toHaveLength(1);
    const got: InboundMessage = outcome.messages[0]!;
    const at = (what: string) => `${file}: ${what}`;

    expect.soft(got.channel, at('channel')).toBe('email');
    expect.soft(got.channelId, at('channelId')).toBe('chan-email');
    expect.soft(got.raw, at('raw kept')).toBeDefined();

    if (want.externalId === 'sha256:*') expect.soft(got.externalId, at('externalId')).toMatch(/^sha256:[0-9a-f]{64}$/);
    else expect.soft(got.externalId, at('externalId')).toBe(want.externalId);

    expect.soft(got.from.address.toLowerCase(), at('from.address')).toBe(want.from.address.toLowerCase());
    if (want.from.name !== undefined) expect.soft(got.from.name, at('from.name')).toBe(want.from.name);
    expect.soft(got.subject, at('subject')).toBe(want.subject);
    if (want.sentAt) expect.soft(got.sentAt.toISOString(), at('sentAt')).toBe(want.sentAt);

    const text = tidy(got.text);
    if (want.text !== undefined) expect.soft(text, at('text')).toBe(want.text);
    if (want.textStartsWith !== undefined) expect.soft(flat(text).startsWith(flat(want.textStartsWith)), at(`text starts with "${want.textStartsWith}" — got "${text.slice(0, 200)}"`)).toBe(true);
    for (const s of want.textIncludes ?? []) expect.soft(flat(text), at('text includes')).toContain(flat(s));
    for (const s of want.textExcludes ?? []) expect.soft(flat(text), at('text excludes')).not.toContain(flat(s));

    if (want.htmlIncludes?.length) expect.soft(got.html, at('html kept')).toBeTypeOf('string');
    for (const s of want.htmlIncludes ?? []) expect.soft(got.html ?? '', at('html includes')).toContain(s);
    for (const s of want.htmlExcludes ?? []) expect.soft((got.html ?? '').toLowerCase(), at('html excludes')).not.toContain(s.toLowerCase());

    if (want.attachments) checkAttachments(got, want.attachments, at);

    const refs = got.threading?.references ?? [];
    if (want.threading.references) expect.soft(sorted(refs), at('threading.references')).toEqual(sorted(want.threading.references));
    if (want.threading.replyToken === null) expect.soft(got.threading?.replyToken, at('threading.replyToken')).toBeUndefined();
    else if (want.threading.replyToken !== undefined) expect.soft(got.threading?.replyToken, at('threading.replyToken')).toBe(want.threading.replyToken);
    if (want.threading.subjectKey !== undefined) expect.soft(got.threading?.subjectKey, at('threading.subjectKey')).toBe(want.threading.subjectKey);

    expect.soft(got.automated, at('automated')).toBe(want.automated);
    if (!want.bounce) expect.soft(got.bounce, at('bounce')).toBeUndefined();
    else {
      const b = got.bounce;
      expect.soft(b, at('bounce')).toBeDefined();
      if (want.bounce.messageId !== undefined) expect.soft(b?.messageId, at('bounce.messageId')).toBe(want.bounce.messageId);
      if (want.bounce.originalIds) expect.soft(sorted(b?.originalIds ?? []), at('bounce.originalIds')).toEqual(sorted(want.bounce.originalIds));
      expect.soft(b?.action, at('bounce.action')).toBe(want.bounce.action);
      if (want.bounce.status !== undefined) expect.soft(b?.status, at('bounce.status')).toBe(want.bounce.status);
      if (want.bounce.diagnosticIncludes) expect.soft(b?.diagnostic ?? '', at('bounce.diagnostic')).toContain(want.bounce.diagnosticIncludes);
    }

    const flags = got.flags ?? [];
    if (want.flags) for (const f of want.flags) expect.soft(flags, at('flags')).toContain(f);
    else expect.soft(flags, at('flags (sound MIME)')).not.toContain('malformed_mime');
  });
});

function checkAttachments(got: InboundMessage, want: NonNullable<EmailExpectation['attachments']>, at: (w: string) => string): void {
  const byName = [...got.attachments].sort((a, b) => a.filename.localeCompare(b.filename));
  const expected = [...want].sort((a, b) => a.filename.localeCompare(b.filename));
  expect
    .soft(
      byName.map((a) => ({ filename: a.filename, contentType: mediaType(a.contentType), size: a.size })),
      at('attachments'),
    )
    .toEqual(expected.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })));
  for (const a of expected) {
    const g = byName.find((x) => x.filename === a.filename);
    if (!g) continue;
    // Mail has no provider URL to fetch later: the bytes travel with the message.
    expect.soft(g.base64, at(`${a.filename}: base64`)).toBeTypeOf('string');
    const bytes = Buffer.from(g.base64 ?? '', 'base64');
    expect.soft(createHash('sha256').update(bytes).digest('hex'), at(`${a.filename}: bytes`)).toBe(a.sha256);
  }
}
