import { describe, expect, it } from 'vitest';
import { replyReferences, replySubject } from '../../../channels/email/outbound-headers.ts';
import { normalizeReferences, replyTokenOf, subjectKeyOf, verpMessageIdOf } from '../../../channels/email/threading.ts';

// Threading hints in and out: subject keys across clients and languages, reference lists, plus-address tokens.

describe('subjectKeyOf', () => {
  it('strips reply and forward prefixes of many clients and languages, counters and list tags', () => {
    const cases: Array<[string, string]> = [
      ['Refund status', 'refund status'],
      ['Re: Refund status', 'refund status'],
      ['RE: re: Fwd: Refund   status', 'refund status'],
      ['Re[2]: Refund status', 'refund status'],
      ['Re (3): Refund status', 'refund status'],
      ['AW: WG: Refund status', 'refund status'],
      ['SV: VS: Antw: Refund status', 'refund status'],
      ['Réf : RV: TR: Odp: Refund status', 'refund status'],
      ['回复：Refund status', 'refund status'],
      ['答复: 转发: Refund status', 'refund status'],
      ['Απ: Refund status', 'refund status'],
      ['[acme-users] Re: [#4821] Refund Status', 'refund status'],
      ['FW: [EXTERNAL] RE: Refund status', 'refund status'],
      ['Ｒｅ： Refund status', 'refund status'],
    ];
    for (const [subject, key] of cases) expect(subjectKeyOf(subject), subject).toBe(key);
  });

  it('keeps words that merely start like a prefix, and has no key for empty subjects', () => {
    expect(subjectKeyOf('Review of my order')).toBe('review of my order');
    expect(subjectKeyOf('Fwding question')).toBe('fwding question');
    expect(subjectKeyOf('Re: ')).toBeUndefined();
    expect(subjectKeyOf(undefined)).toBeUndefined();
  });
});

describe('references and tokens', () => {
  it('normalizes In-Reply-To and References from strings or lists', () => {
    expect(normalizeReferences('<a@x>', '<b@x>')).toEqual(['a@x', 'b@x']);
    expect(normalizeReferences(undefined, ['<b@x>', '<a@x>', '<b@x>'])).toEqual(['b@x', 'a@x']);
    expect(normalizeReferences('<a@x> (comment)', '<b@x>\r\n <c@x>')).toEqual(['a@x', 'b@x', 'c@x']);
    expect(normalizeReferences('bare@x', undefined)).toEqual(['bare@x']);
    expect(normalizeReferences(undefined, undefined)).toEqual([]);
  });

  it('tells reply tokens from VERP bounce ids', () => {
    const addresses = ['dana@customer.example', 'Support+bounce-msg-9@ACME.example', 'support+Tok9@acme.example'];
    expect(replyTokenOf(addresses, 'support@acme.example')).toBe('Tok9');
    expect(verpMessageIdOf(addresses, 'support@acme.example')).toBe('msg-9');
    expect(replyTokenOf(['supporter+x@acme.example', 'support+@acme.example'], 'support@acme.example')).toBeUndefined();
  });
});

describe('outbound threading', () => {
  it('prefixes "Re: " once', () => {
    expect(replySubject('Refund')).toBe('Re: Refund');
    expect(replySubject('Re: Refund')).toBe('Re: Refund');
    expect(replySubject('AW: Rückerstattung')).toBe('AW: Rückerstattung');
    expect(replySubject('Fwd: Order 4821')).toBe('Re: Fwd: Order 4821');
    expect(replySubject('  ')).toBe('Re: Your message');
    expect(replySubject('Line\r\nBcc: x@y')).toBe('Re: Line Bcc: x@y');
  });

  it('builds References from the parent\'s plus its Message-ID, deduped and trimmed', () => {
    expect(replyReferences(['<a@x>', 'b@x'], '<c@x>')).toEqual(['a@x', 'b@x', 'c@x']);
    expect(replyReferences(['a@x', 'c@x'], 'c@x')).toEqual(['a@x', 'c@x']);
    expect(replyReferences([], undefined)).toEqual([]);
    const long = Array.from({ length: 20 }, (_, i) => `r${i}@x`);
    expect(replyReferences(long, 'p@x')).toEqual(['r0@x', ...long.slice(11), 'p@x']);
  });
});
