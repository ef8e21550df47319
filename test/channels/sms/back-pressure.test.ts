import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTwilioPeer, type TwilioPeer } from '../../../channels/shared/twilio/peer/twilio-peer.ts';
import { startProviderApp, type ProviderApp } from '../../helpers/provider-app.ts';

// Back-pressure (src/http/load-shedding.ts): while accepted messages wait to be committed longer than
// SHED_AFTER_MS, new webhooks are answered 503 with Retry-After at once, and none of them is stored; what was
// accepted before still commits and is acknowledged. The database is held up by a transaction that locks the
// table every new sender's message needs (on PGlite, its one connection as well).

let p: ProviderApp;
let peer: TwilioPeer;
let inbound: string;
const SHOP = '+14155550100';
const seen: Array<{ status: number; retryAfter: string | null; body: string }> = [];

beforeAll(async () => {
  p = await startProviderApp({ SHED_AFTER_MS: '300' }, { workers: false });
  peer = await startTwilioPeer({
    fetch: async (url, init) => {
      const res = await globalThis.fetch(url, init);
      if (String(url).includes('/webhooks/')) seen.push({ status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.clone().text() });
      return res;
    },
  });
  const channel = await p.createChannel({
    type: 'sms',
    name: 'SMS',
    config: { account_sid: peer.accountSid, auth_token: peer.authToken, from: SHOP, api_base_url: peer.url },
  });
  inbound = channel.webhook_urls.inbound!;
});
afterAll(async () => {
  await peer?.close();
  await p?.close();
});

const stored = async (sid: string) =>
  (await p.t.database.db.execute<{ n: number }>(sql`select count(*)::int as n from messages where external_id = ${sid}`)) as unknown;
const countOf = async (sid: string) => {
  const r = (await stored(sid)) as { rows?: Array<{ n: number }> } | Array<{ n: number }>;
  return (Array.isArray(r) ? r : r.rows ?? [])[0]?.n;
};

it('answers 503 + Retry-After while commits are behind, stores none of those, and commits what it accepted', async () => {
  expect((await peer.sendInbound(inbound, { from: '+14155550001', to: SHOP, body: 'warm up' })).status).toBe(200);

  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const holder = p.t.database.db.transaction(async (tx) => {
    await tx.execute(sql`lock table contact_identities in exclusive mode`);
    locked();
    await gate;
  });
  await isLocked;

  const accepted = peer.sendInbound(inbound, { from: '+14155550002', to: SHOP, body: 'accepted before the backlog' });
  let shed: Awaited<typeof accepted>;
  try {
    await new Promise((r) => setTimeout(r, 600));
    shed = await peer.sendInbound(inbound, { from: '+14155550003', to: SHOP, body: 'arrives while behind' });
  } finally {
    release();
    await holder;
  }
  expect(shed.status).toBe(503);
  const answer = seen.at(-1)!;
  expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(JSON.parse(answer.body)).toMatchObject({ statusCode: 503, message: expect.stringMatching(/catching up/) });

  const first = await accepted;
  expect(first.status).toBe(200);
  expect(await countOf(first.messageSid)).toBe(1);
  expect(await countOf(shed.messageSid)).toBe(0);

  // Caught up: the provider's retry of the refused one is taken, once.
  const retried = await peer.sendInbound(inbound, { from: '+14155550003', to: SHOP, body: 'arrives while behind', messageSid: shed.messageSid });
  expect(retried.status).toBe(200);
  expect(await countOf(shed.messageSid)).toBe(1);
  const metrics = await (await p.t.app.request('/metrics')).text();
  expect(metrics).toMatch(/^switchboard_requests_shed_total 1$/m);
});
