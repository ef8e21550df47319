import { describe, expect, it } from 'vitest';
import { htmlToNewText } from '../../../channels/email/mail-html.ts';
import { stripQuotedText } from '../../../channels/email/strip-quotes.ts';

// The new text of a reply: quoted history and signatures removed, as the common mail clients,
// in several languages, write them; the full text when nothing would remain.

describe('stripQuotedText', () => {
  const cases: Array<[string, string, string]> = [
    ['Gmail, one line', 'Yes please.\n\nOn Mon, 23 Nov 2026 at 18:40, Acme <support@acme.example> wrote:\n> old', 'Yes please.'],
    ['Gmail, wrapped', 'Yes please.\n\nOn Mon, 23 Nov 2026 at 18:40, Acme Support\n<support@acme.example> wrote:\n> old', 'Yes please.'],
    ['French', 'Merci.\n\nLe lun. 23 nov. 2026 à 18:40, Acme <support@acme.example> a écrit :\n> old', 'Merci.'],
    ['Spanish', 'Gracias.\n\nEl lun, 23 nov 2026 a las 18:40, Acme (<support@acme.example>) escribió:\n> old', 'Gracias.'],
    ['German', 'Danke.\n\nAm Mo., 23. Nov. 2026 um 18:40 Uhr schrieb Acme <support@acme.example>:\n> old', 'Danke.'],
    ['Dutch', 'Bedankt.\n\nOp ma 23 nov. 2026 om 18:40 schreef Acme <support@acme.example>:\n> old', 'Bedankt.'],
    ['Polish', 'Dzięki.\n\nW dniu pon., 23.11.2026 o 18:40 Acme <support@acme.example> napisał(a):\n> old', 'Dzięki.'],
    ['Chinese', '谢谢。\n\n在 2026年11月23日 18:40，Acme <support@acme.example> 写道：\n> old', '谢谢。'],
    ['Outlook original message', 'Fine.\n\n-----Original Message-----\nFrom: Acme\nSent: Monday\nTo: Dana\nSubject: x\n\nold', 'Fine.'],
    ['Outlook header block', 'Fine.\n\nFrom: Acme Support\nSent: Monday, November 23, 2026 6:40 PM\nTo: Dana Levi\nSubject: Re: x\n\nold', 'Fine.'],
    ['German Outlook block', 'Gut.\n\nVon: Acme Support\nGesendet: Montag, 23. November 2026 18:40\nAn: Dana\nBetreff: x\n\nalt', 'Gut.'],
    ['Outlook rule', 'Fine.\n\n________________________________\nFrom: Acme\nold', 'Fine.'],
    ['iPhone', 'Ok thanks\n\nSent from my iPhone', 'Ok thanks'],
    ['Outlook mobile', 'Ok thanks\n\nGet Outlook for iOS', 'Ok thanks'],
    ['French iPhone', "D'accord\n\nEnvoyé de mon iPhone", "D'accord"],
    ['RFC 3676 signature', 'See you.\n-- \nDana Levi\nCustomer Inc.', 'See you.'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expect(stripQuotedText(input)).toBe(expected));
  }

  it('keeps the whole text when stripping would leave nothing (a forward)', () => {
    const forward = '---------- Forwarded message ---------\nFrom: Bob <bob@x.example>\nDate: Mon\nSubject: broken\n\nIt is broken.';
    expect(stripQuotedText(forward)).toBe(forward);
  });

  it('keeps sign-offs and what follows them (a P.S. is new text)', () => {
    const text = 'It arrived.\n\nBest regards,\nMark\n\nP.S. New phone: +44 20 7946 0958';
    expect(stripQuotedText(text)).toBe(text);
    expect(stripQuotedText('Merci.\n\nCordialement,\nÉlodie\n\nLe lun. 23 nov. 2026, Acme <s@acme.example> a écrit :\n> old')).toBe(
      'Merci.\n\nCordialement,\nÉlodie',
    );
  });

  it('keeps long lines and strips the quote after them', () => {
    const long = `${'This paragraph was never wrapped by the client. '.repeat(10).trim()}`;
    expect(stripQuotedText(`${long}\n\n> ${long}\n> old`)).toBe(long);
  });

  it('keeps inline answers between quotes', () => {
    expect(stripQuotedText('> Is it A or B?\nB.\n> When?\nTomorrow.')).toBe('B.\nTomorrow.');
  });

  it('stays bounded on huge input', () => {
    const huge = `${'word '.repeat(50_000)}\n`.repeat(4);
    const started = Date.now();
    expect(stripQuotedText(huge).length).toBeLessThanOrEqual(100 * 1024);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('htmlToNewText', () => {
  it('keeps line structure and decodes entities', () => {
    expect(htmlToNewText('<p>A &amp; B &lt;3</p><p>Line<br>break</p><ul><li>one</li><li>two</li></ul>')).toBe('A & B <3\n\nLine\nbreak\n\n- one\n- two');
    expect(htmlToNewText('<table><tr><td>Item</td><td>Qty</td></tr><tr><td>Lanyards</td><td>300</td></tr></table>')).toBe('Item Qty\nLanyards 300');
  });

  it('drops Yahoo quotes and style/script text', () => {
    expect(htmlToNewText('<style>p{color:red}</style><div>Hi</div><div class="yahoo_quoted">old</div><script>x()</script>')).toBe('Hi');
  });
});
