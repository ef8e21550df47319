// A tiny reader for the TwiML our voice adapter writes: well-formed XML elements, attributes, text and the five
// predefined entities (plus numeric ones). Enough for the scripted caller; not a general XML parser.

export interface TwimlVerb {
  name: string;
  attrs: Record<string, string>;
  /** The element's own text, entity-decoded and trimmed (the Say line, the Number, the Redirect URL). */
  text: string;
  children: TwimlVerb[];
}

const TOKEN = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
const ATTR = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : (NAMED[e] ?? _),
  );
}

function attributes(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of source.matchAll(ATTR)) attrs[m[1]!] = decodeEntities(m[2] ?? m[3] ?? '');
  return attrs;
}

/** The document's root element (normally <Response>). Throws on mismatched or unclosed tags. */
export function readTwiml(xml: string): TwimlVerb {
  const root: TwimlVerb = { name: '#document', attrs: {}, text: '', children: [] };
  const stack: TwimlVerb[] = [root];
  let at = 0;
  for (const m of xml.matchAll(TOKEN)) {
    const [whole, closing, name, attrSource, selfClosing, text] = m;
    // Tokens must tile the document: a gap is markup this reader does not understand.
    if (m.index !== at) throw new Error(`TwiML: cannot read ${xml.slice(at, at + 40)}`);
    at += whole.length;
    const top = stack[stack.length - 1]!;
    if (text !== undefined) {
      top.text += decodeEntities(text);
    } else if (name === undefined) {
      continue; // declaration or comment
    } else if (closing) {
      if (top.name !== name) throw new Error(`TwiML: </${name}> closes <${top.name}>`);
      top.text = top.text.trim();
      stack.pop();
    } else {
      const el: TwimlVerb = { name, attrs: attributes(attrSource ?? ''), text: '', children: [] };
      top.children.push(el);
      if (!selfClosing) stack.push(el);
    }
  }
  if (at !== xml.length) throw new Error(`TwiML: cannot read ${xml.slice(at, at + 40)}`);
  if (stack.length > 1) throw new Error(`TwiML: <${stack[stack.length - 1]!.name}> is never closed`);
  const [doc] = root.children;
  if (!doc || root.children.length > 1) throw new Error('TwiML: expected exactly one root element');
  return doc;
}

/** Every element under `verb` (itself excluded), depth-first in document order. */
export function descendants(verb: TwimlVerb): TwimlVerb[] {
  return verb.children.flatMap((child) => [child, ...descendants(child)]);
}
