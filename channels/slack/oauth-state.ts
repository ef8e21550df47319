import { createHmac, timingSafeEqual } from 'node:crypto';

// The OAuth `state` (CSRF protection for the callback) without storing anything: when it was issued, and an HMAC
// of that time and the channel id under the app's client secret. Only we can mint one, it is bound to this
// channel, and it expires; adapters stay free of databases.

const MAX_AGE_MS = 10 * 60 * 1000;
/** A state dated a little ahead of our clock is tolerated (several gateway processes, slightly different clocks). */
const MAX_FUTURE_MS = 60 * 1000;

function mac(secret: string, issuedAt: string, channelId: string): string {
  return createHmac('sha256', secret).update(issuedAt + channelId).digest('hex');
}

export function issueOAuthState(secret: string, channelId: string, now: Date): string {
  const issuedAt = now.getTime().toString(36);
  return `${issuedAt}.${mac(secret, issuedAt, channelId)}`;
}

/** Why a state is refused, or undefined when it is ours, for this channel, and recent. */
export function oauthStateProblem(secret: string, channelId: string, state: string | null, now: Date): string | undefined {
  const m = /^([0-9a-z]{1,12})\.([0-9a-f]{64})$/.exec(state ?? '');
  if (!m) return 'the state parameter is missing or malformed';
  const [, issuedAt, given] = m as unknown as [string, string, string];
  const expected = Buffer.from(mac(secret, issuedAt, channelId), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return 'the state parameter was not issued by this channel';
  const age = now.getTime() - parseInt(issuedAt, 36);
  if (age > MAX_AGE_MS) return 'the installation link has expired (over 10 minutes old)';
  if (age < -MAX_FUTURE_MS) return 'the state parameter is dated in the future';
  return undefined;
}
