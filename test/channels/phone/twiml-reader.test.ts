import { describe, expect, it } from 'vitest';
import { decodeEntities, descendants, readTwiml } from '../../../channels/phone/peer/twiml-reader.ts';

describe('readTwiml', () => {
  it('reads nested verbs, attributes and text, decoding entities', () => {
    const doc = readTwiml(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="speech" action="https://h/v?t=1&amp;wait=2">' +
        "<Say voice='alice'>Fish &amp; chips &lt;3 &#233;&#x1F600;</Say></Gather><Redirect method=\"POST\">/v?a=1&amp;b=&quot;2&quot;</Redirect><Hangup/></Response>",
    );
    expect(doc.name).toBe('Response');
    expect(doc.children.map((c) => c.name)).toEqual(['Gather', 'Redirect', 'Hangup']);
    expect(doc.children[0]!.attrs).toEqual({ input: 'speech', action: 'https://h/v?t=1&wait=2' });
    expect(descendants(doc).find((v) => v.name === 'Say')).toMatchObject({ attrs: { voice: 'alice' }, text: 'Fish & chips <3 é😀' });
    expect(doc.children[1]!.text).toBe('/v?a=1&b="2"');
  });

  it('reads an empty response', () => {
    expect(readTwiml('<?xml version="1.0" encoding="UTF-8"?><Response/>')).toEqual({ name: 'Response', attrs: {}, text: '', children: [] });
  });

  it.each([
    ['<Response><Say>hi</Gather></Response>', '</Gather> closes <Say>'],
    ['<Response><Say>hi</Say>', 'never closed'],
    ['<Response><Say a=b>hi</Say></Response>', 'cannot read'],
    ['<Response/><Response/>', 'exactly one root'],
  ])('refuses %s', (xml, message) => {
    expect(() => readTwiml(xml)).toThrow(message);
  });

  it('leaves unknown entities alone', () => {
    expect(decodeEntities('&nbsp; &amp;amp;')).toBe('&nbsp; &amp;');
  });
});
