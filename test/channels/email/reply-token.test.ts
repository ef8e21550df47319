import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { replyToken, sessionFromReplyToken } from '../../../src/domain/outbound/reply-token.ts';

const SECRET = 'x'.repeat(32);

it('round-trips a session id through a token fit for an address local part', () => {
  const id = randomUUID();
  const token = replyToken(SECRET, id);
  expect(token).toMatch(/^[A-Za-z0-9_-]{30}$/);
  expect(`support+${token}@acme.example`.split('@')[0]!.length).toBeLessThanOrEqual(64);
  expect(sessionFromReplyToken(SECRET, token)).toBe(id);
});

it('refuses tokens that were not made with our secret, or were altered', () => {
  const id = randomUUID();
  const token = replyToken(SECRET, id);
  expect(sessionFromReplyToken('y'.repeat(32), token)).toBeUndefined();
  const other = replyToken(SECRET, randomUUID());
  expect(sessionFromReplyToken(SECRET, token.slice(0, 22) + other.slice(22))).toBeUndefined();
  expect(sessionFromReplyToken(SECRET, token.toLowerCase())).toBeUndefined();
  expect(sessionFromReplyToken(SECRET, 'bounce-123')).toBeUndefined();
});
