import { splitAddress } from './config.ts';

// What an inbound mail says about where it belongs (docs/email.md "Threading", RFC 5322 §3.6.4); core resolves the
// hints in order.

const MAX_REFERENCES = 100;
const MAX_ID_LENGTH = 998;

/** In-Reply-To then References, without <>, deduped, in order. mailparser gives References as a string or a list. */
export function normalizeReferences(inReplyTo: unknown, references: unknown): string[] {
  const raw = [inReplyTo, ...(Array.isArray(references) ? references : [references])];
  const ids: string[] = [];
  for (const value of raw) {
    if (typeof value !== 'string') continue;
    const bracketed = value.match(/<[^<>]*>/g);
    const parts = bracketed ?? value.split(/[\s,]+/);
    for (const part of parts) {
      const id = part.replace(/^<|>$/g, '').trim();
      if (id && id.length <= MAX_ID_LENGTH && !ids.includes(id)) ids.push(id);
    }
  }
  return ids.slice(0, MAX_REFERENCES);
}

/** The `+tag` of an address that is our support address plus a tag (`support+k7Qz2@acme.example` → `k7Qz2`). */
export function plusTag(address: string, supportAddress: string): string | undefined {
  const [local, domain] = splitAddress(supportAddress);
  const at = address.lastIndexOf('@');
  if (at < 0) return undefined;
  const [theirLocal, theirDomain] = [address.slice(0, at), address.slice(at + 1)];
  if (theirDomain.toLowerCase() !== domain) return undefined;
  const plus = theirLocal.indexOf('+');
  if (plus < 0 || theirLocal.slice(0, plus).toLowerCase() !== local) return undefined;
  const tag = theirLocal.slice(plus + 1);
  return tag || undefined;
}

/** `bounce-<id>` tags are VERP return paths of our own sends, never a session's reply token. */
const BOUNCE_PREFIX = /^bounce-/i;

/** The session token of the first plus-address of ours among the recipients. */
export function replyTokenOf(addresses: string[], supportAddress: string): string | undefined {
  for (const address of addresses) {
    const tag = plusTag(address, supportAddress);
    if (tag && !BOUNCE_PREFIX.test(tag)) return tag;
  }
  return undefined;
}

/** Our outbound message id from a VERP bounce address (`support+bounce-<id>@acme.example`). */
export function verpMessageIdOf(addresses: string[], supportAddress: string): string | undefined {
  for (const address of addresses) {
    const tag = plusTag(address, supportAddress);
    if (tag && BOUNCE_PREFIX.test(tag) && tag.length > 7) return tag.slice(7);
  }
  return undefined;
}

const REPLY_PREFIX = /^(re|fwd?|fw|aw|wg|sv|vs|antw|réf|ref|rv|tr|odp|回复|答复|转发|απ)\s*(\[\d+\]|\(\d+\))?\s*[:：]\s*/iu;
const LIST_TAG = /^\[[^\]]{0,100}\]\s*/u;

/** The subject with every reply/forward prefix (any language, `[2]`/`(2)` counters) and `[list-tag]` removed. */
export function stripSubjectPrefixes(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  for (let i = 0; i < 50; i++) {
    const next = s.replace(REPLY_PREFIX, '').replace(LIST_TAG, '');
    if (next === s) break;
    s = next;
  }
  return s;
}

/** The subject as a thread key: prefixes and tags stripped, spaces collapsed, casefolded; undefined when empty. */
export function subjectKeyOf(subject: string | undefined): string | undefined {
  if (!subject) return undefined;
  const key = stripSubjectPrefixes(subject.normalize('NFKC')).toLowerCase();
  return key || undefined;
}

/** Answer prefixes only: a forwarded subject ("Fwd: …", "WG: …", "TR: …") is answered as "Re: Fwd: …", like clients do. */
const ANSWER_PREFIX = /^(re|aw|sv|vs|antw|réf|odp|回复|答复|απ)\s*(\[\d+\]|\(\d+\))?\s*[:：]/iu;

/** Whether a subject already starts as a reply (so sending does not stack "Re: Re:"). */
export function hasReplyPrefix(subject: string): boolean {
  return ANSWER_PREFIX.test(subject.trimStart());
}
