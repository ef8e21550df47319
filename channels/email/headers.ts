import type { ParsedMail } from 'mailparser';

// Header values as the sender wrote them (unfolded, undecoded), from mailparser's headerLines: its parsed `headers`
// map turns some into objects and keeps only the last of repeated ones (X-Loop, Delivered-To can repeat).

type Lines = ParsedMail['headerLines'];

/** Every value of a header (case-insensitive name), unfolded and trimmed. */
export function headerValues(lines: Lines, name: string): string[] {
  const key = name.toLowerCase();
  return lines
    .filter((l) => l.key === key)
    .map((l) => l.line.slice(l.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
}

export function headerValue(lines: Lines, name: string): string | undefined {
  return headerValues(lines, name)[0];
}

/** `Name <a@b>, c@d` → ['a@b', 'c@d'], case kept (plus tokens are case-sensitive); for matching against ours. */
export function addressesIn(values: string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    for (const m of value.matchAll(/<([^<>\s]+@[^<>\s]+)>|([^\s<>,;:"()]+@[^\s<>,;:"()]+)/g)) {
      out.push(m[1] ?? m[2]!);
    }
  }
  return out;
}

/** The headers kept in the stored raw: what agents and debugging need, not the whole Received trail. */
const KEPT = [
  'from', 'to', 'cc', 'reply-to', 'sender', 'subject', 'date', 'message-id', 'in-reply-to', 'references',
  'return-path', 'delivered-to', 'x-original-to', 'auto-submitted', 'precedence', 'list-id', 'list-unsubscribe',
  'x-auto-response-suppress', 'x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-loop', 'x-switchboard-id',
  'authentication-results', 'content-type', 'x-failed-recipients', 'thread-index', 'thread-topic',
];

const MAX_HEADER_CHARS = 2000;

/** A small plain object of the main headers (repeated ones joined with newlines), for InboundMessage.raw. */
export function keptHeaders(lines: Lines): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT) {
    const values = headerValues(lines, name);
    if (values.length) out[name] = values.join('\n').replace(/\u0000/g, '').slice(0, MAX_HEADER_CHARS);
  }
  return out;
}
