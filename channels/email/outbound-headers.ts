import { splitAddress } from './config.ts';
import { hasReplyPrefix } from './threading.ts';

// The headers that keep a reply in the customer's thread and let replies and bounces find their way back
// (docs/email.md "Threading", "Loops and noise"): our Message-ID carries the session token, Reply-To the
// plus-address, and the envelope sender the message id (VERP).

/** Tokens and ids go into local parts and Message-IDs: only characters that need no quoting there. */
export const SAFE_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
export const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * `<our message id>.token@our-domain`, without <> (the receipt's externalId; nodemailer adds the brackets). Made
 * from the reply's own id, so a reply sent again after a crash mid-send is the same mail: receivers and mail
 * clients keep one message per Message-ID (RFC 5322 §3.6.4).
 */
export function replyMessageId(address: string, messageId: string, replyToken: string): string {
  return `${messageId}.${replyToken}@${splitAddress(address)[1]}`;
}

export function plusAddress(address: string, tag: string): string {
  const [local, domain] = splitAddress(address);
  return `${local}+${tag}@${domain}`;
}

/** The bounce address that names the message it returns: `support+bounce-<messageId>@domain`. */
export function verpAddress(address: string, messageId: string): string {
  return plusAddress(address, `bounce-${messageId}`);
}

/** "Re: " once; mail without a subject still needs one that reads as a reply. */
export function replySubject(subject: string | undefined): string {
  const clean = (subject ?? '').replace(/[\r\n]+/g, ' ').trim();
  if (!clean) return 'Re: Your message';
  return hasReplyPrefix(clean) ? clean : `Re: ${clean}`;
}

const KEEP_LAST = 10;

/** Parent References + parent Message-ID, deduped; when long, the first (thread root) and the last ten. */
export function replyReferences(references: string[], inReplyTo: string | undefined): string[] {
  const ids: string[] = [];
  for (const id of [...references, ...(inReplyTo ? [inReplyTo] : [])]) {
    const clean = id.trim().replace(/^<|>$/g, '');
    if (clean && !/[\s<>]/.test(clean) && !ids.includes(clean)) ids.push(clean);
  }
  return ids.length > KEEP_LAST + 1 ? [ids[0]!, ...ids.slice(-KEEP_LAST)] : ids;
}
