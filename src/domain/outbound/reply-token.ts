import { createHmac, timingSafeEqual } from 'node:crypto';

// The token in a session's reply address (`support+<token>@acme.example`) and in our Message-IDs: the session id
// (22 base64url characters) and a short MAC, so a reply finds its session even when a mail client drops the
// threading headers, and nobody can aim mail at a session by guessing. Tokens are case-sensitive; mail systems
// keep the local part's case (RFC 5321 §2.4) though some lowercase it: those fall back to the other threading rules.

const MAC_CHARS = 8;

const mac = (secret: string, sessionId: string) =>
  createHmac('sha256', secret).update(`reply-token:${sessionId}`).digest('base64url').slice(0, MAC_CHARS);

export function replyToken(secret: string, sessionId: string): string {
  const id = Buffer.from(sessionId.replace(/-/g, ''), 'hex').toString('base64url');
  return `${id}${mac(secret, sessionId)}`;
}

/** The session id a token names, or undefined when it is not one of ours. */
export function sessionFromReplyToken(secret: string, token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{30}$/.test(token)) return undefined;
  const hex = Buffer.from(token.slice(0, 22), 'base64url').toString('hex');
  if (hex.length !== 32) return undefined;
  const sessionId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const expected = Buffer.from(mac(secret, sessionId));
  const given = Buffer.from(token.slice(22));
  return given.length === expected.length && timingSafeEqual(given, expected) ? sessionId : undefined;
}
