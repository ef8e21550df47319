import { describe, expect, it } from 'vitest';
import { slackToPlainText } from '../../../channels/slack/inbound-text.ts';
import { toMrkdwn } from '../../../channels/slack/mrkdwn.ts';

// Both directions of Slack's text dialect: Markdown replies → mrkdwn, and Slack's wire text → plain text.

describe('toMrkdwn: emphasis', () => {
  it.each([
    ['**bold**', '*bold*'],
    ['__bold__', '*bold*'],
    ['*italic*', '_italic_'],
    ['_italic_', '_italic_'],
    ['~~gone~~', '~gone~'],
    ['***both***', '*_both_*'],
    ['a **b** and *c* or _d_', 'a *b* and _c_ or _d_'],
    ['**bold with *italic* inside**', '*bold with _italic_ inside*'],
    ['**Note:** read *this*.', '*Note:* read _this_.'],
  ])('%j → %j', (md, out) => {
    expect(toMrkdwn(md)).toBe(out);
  });

  it('leaves lone or spaced asterisks and intraword underscores alone', () => {
    expect(toMrkdwn('2 * 3 * 4 = 24')).toBe('2 * 3 * 4 = 24');
    expect(toMrkdwn('a*b*c')).toBe('a*b*c');
    expect(toMrkdwn('snake_case_name and __init__x')).toBe('snake_case_name and __init__x');
    expect(toMrkdwn('** not bold **')).toBe('** not bold **');
  });

  it('keeps backslash-escaped markers literal', () => {
    expect(toMrkdwn('\\*not italic\\* and 5 \\> 3')).toBe('*not italic* and 5 &gt; 3');
  });
});

describe('toMrkdwn: links', () => {
  it('turns [label](url) into <url|label>', () => {
    expect(toMrkdwn('see [the docs](https://example.com/docs) now')).toBe('see <https://example.com/docs|the docs> now');
  });

  it('escapes & in URLs and | that would end them, and the label text', () => {
    expect(toMrkdwn('[a < b & c](https://x.io/?a=1&b=2|3)')).toBe('<https://x.io/?a=1&amp;b=2%7C3|a &lt; b &amp; c>');
  });

  it('keeps a link with parentheses in the URL, drops a title, and handles mailto', () => {
    expect(toMrkdwn('[wiki](https://en.wikipedia.org/wiki/Foo_(bar) "Foo")')).toBe('<https://en.wikipedia.org/wiki/Foo_(bar)|wiki>');
    expect(toMrkdwn('[mail us](mailto:help@example.com)')).toBe('<mailto:help@example.com|mail us>');
  });

  it('drops formatting inside a label, and a label equal to the URL', () => {
    expect(toMrkdwn('[**Pricing**](https://x.io/p)')).toBe('<https://x.io/p|Pricing>');
    expect(toMrkdwn('[https://x.io](https://x.io)')).toBe('<https://x.io>');
  });

  it('does not make links of other schemes', () => {
    expect(toMrkdwn('[click](javascript:alert(1))')).toBe('click (javascript:alert(1))');
  });

  it('keeps autolinks and bare URLs clickable', () => {
    expect(toMrkdwn('go to <https://x.io/a?b=1&c=2>')).toBe('go to <https://x.io/a?b=1&amp;c=2>');
    expect(toMrkdwn('go to https://x.io/a?b=1&c=2')).toBe('go to https://x.io/a?b=1&amp;c=2');
  });
});

describe('toMrkdwn: blocks', () => {
  it('turns headings into bold lines', () => {
    expect(toMrkdwn('# Title\n## Sub **bold** ##\ntext')).toBe('*Title*\n*Sub bold*\ntext');
    expect(toMrkdwn('#hashtag is not a heading')).toBe('#hashtag is not a heading');
  });

  it('turns - and * list items into bullets, keeping nesting', () => {
    expect(toMrkdwn('- one\n* two **b**\n  - nested\n+ three')).toBe('• one\n• two *b*\n  • nested\n• three');
  });

  it('leaves numbered lists and rules as text', () => {
    expect(toMrkdwn('1. first\n2. second\n---')).toBe('1. first\n2. second\n---');
  });

  it('keeps quotes as Slack quotes', () => {
    expect(toMrkdwn('> quoted **text**\n> - item')).toBe('> quoted *text*\n> • item');
  });

  it('normalizes CRLF line endings', () => {
    expect(toMrkdwn('**a**\r\n- b')).toBe('*a*\n• b');
  });
});

describe('toMrkdwn: code', () => {
  it('does not convert inside code spans', () => {
    expect(toMrkdwn('run `**not bold** _x_` then **bold**')).toBe('run `**not bold** _x_` then *bold*');
    expect(toMrkdwn('``a ` b`` and *i*')).toBe('``a ` b`` and _i_');
  });

  it('does not convert inside fenced blocks, drops the info string, and closes an unclosed fence', () => {
    const md = '```ts\nconst a = **b** * c;\n# not a heading\n- not a list\n```\nafter **x**';
    expect(toMrkdwn(md)).toBe('```\nconst a = **b** * c;\n# not a heading\n- not a list\n```\nafter *x*');
    expect(toMrkdwn('~~~\n**x**')).toBe('```\n**x**\n```');
  });

  it('still escapes the control characters inside code, so Slack shows them as written', () => {
    expect(toMrkdwn('`a < b && c > d`')).toBe('`a &lt; b &amp;&amp; c &gt; d`');
    expect(toMrkdwn('```\nif (a < b) { x = "<!channel>"; }\n```')).toBe('```\nif (a &lt; b) { x = "&lt;!channel&gt;"; }\n```');
  });
});

describe('toMrkdwn: escaping', () => {
  it('escapes &, < and > in text, so no one gets pinged or linked by accident', () => {
    expect(toMrkdwn('Tom & Jerry <3, 2 > 1, <!channel> <@U123>')).toBe('Tom &amp; Jerry &lt;3, 2 &gt; 1, &lt;!channel&gt; &lt;@U123&gt;');
  });

  it('escapes an already escaped entity again (it is literal text)', () => {
    expect(toMrkdwn('write &amp; like this')).toBe('write &amp;amp; like this');
  });

  it('leaves plain text and emoji untouched', () => {
    expect(toMrkdwn('Hi 👋🏽 — ça va? مرحبا')).toBe('Hi 👋🏽 — ça va? مرحبا');
  });
});

describe('slackToPlainText', () => {
  it('drops the leading mention of our bot only', () => {
    expect(slackToPlainText('<@U07BOT> still waiting on my refund', 'U07BOT')).toBe('still waiting on my refund');
    expect(slackToPlainText('<@U07BOT|switchboard>: hi', 'U07BOT')).toBe('hi');
    expect(slackToPlainText('thanks <@U07BOT>', 'U07BOT')).toBe('thanks @U07BOT');
    expect(slackToPlainText('<@U0OTHER> look', 'U07BOT')).toBe('@U0OTHER look');
  });

  it('spells out links, channels and special mentions', () => {
    expect(slackToPlainText('see <https://x.io/a?b=1&amp;c=2|the page> and <https://y.io>')).toBe('see the page (https://x.io/a?b=1&c=2) and https://y.io');
    expect(slackToPlainText('mail <mailto:a@b.co|a@b.co>')).toBe('mail a@b.co');
    expect(slackToPlainText('in <#C0123|general> and <#C0456>')).toBe('in #general and #C0456');
    expect(slackToPlainText('<!here> <!channel> <!subteam^S1|@support>')).toBe('@here @channel @support');
    expect(slackToPlainText('<@U123|bob> said')).toBe('@U123 said');
  });

  it('decodes the three entities in one pass', () => {
    expect(slackToPlainText('a &lt; b &amp;&amp; c &gt; d, literally &amp;lt;')).toBe('a < b && c > d, literally &lt;');
  });
});
