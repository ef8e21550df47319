import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordCalled } from '../../src/domain/actions/action-history.ts';
import { actionToolbox } from '../../src/domain/actions/ai-toolbox.ts';
import { ALLOW_LOOPBACK, createTestApp, type TestApp } from '../helpers/app.ts';
import { type ActionPeer, startActionPeer } from '../peers/action-peer.ts';

// At most once per turn (src/domain/actions/turn-calls.ts): a turn retried after a crash calls the model again,
// and the model calls the same action again. With the turn's key the second call returns the first's recorded
// outcome without a request; a call that never reported back (the crash came mid-request) is not repeated; another
// turn, or other parameters, run as usual. Real database and a real HTTP service.

let t: TestApp;
let shop: ActionPeer;
let actionId: string;
const ORDER = { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] };

beforeAll(async () => {
  [t, shop] = await Promise.all([createTestApp(ALLOW_LOOPBACK), startActionPeer()]);
  const res = await t.json('POST', '/actions', { name: 'cancel_order', description: 'Cancels an order', run_by: ['ai'], method: 'POST', url_template: `${shop.base}/orders/{order_id}/cancel`, parameters: ORDER });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  actionId = res.body.id;
});
afterAll(async () => {
  await t?.close();
  await shop?.close();
});

const session = async () => (await t.json('POST', '/chat/sessions', {})).body.id as string;
const signal = () => AbortSignal.timeout(10_000);

it('runs a call once per turn: the retry gets the recorded outcome; another turn or other parameters run again', async () => {
  const box = actionToolbox(t.deps);
  const s = await session();
  const before = shop.requests.length;
  shop.enqueue({ status: 200, json: { cancelled: true } });
  const first = await box.run(t.orgId, s, 'cancel_order', '{"order_id":"A-1"}', signal(), 'turn-1');
  const retry = await box.run(t.orgId, s, 'cancel_order', '{ "order_id": "A-1" }', signal(), 'turn-1');
  expect(first.ok).toBe(true);
  expect(retry).toEqual(first);
  expect(shop.requests.length - before).toBe(1);

  shop.enqueue({ status: 200, json: { cancelled: true } }, { status: 200, json: { cancelled: true } });
  expect((await box.run(t.orgId, s, 'cancel_order', '{"order_id":"A-2"}', signal(), 'turn-1')).ok).toBe(true);
  expect((await box.run(t.orgId, s, 'cancel_order', '{"order_id":"A-1"}', signal(), 'turn-2')).ok).toBe(true);
  expect(shop.requests.length - before).toBe(3);
});

it('does not repeat a call whose first attempt never reported back', async () => {
  const box = actionToolbox(t.deps);
  const s = await session();
  // What a worker that died mid-request leaves: the call entry, no result entry.
  await recordCalled(t.deps.db, t.orgId, s, { callId: crypto.randomUUID(), action: { id: actionId, name: 'cancel_order' }, caller: { type: 'ai' }, parameters: { order_id: 'B-7' }, turnKey: 'turn-9' });
  const before = shop.requests.length;
  const outcome = await box.run(t.orgId, s, 'cancel_order', '{"order_id":"B-7"}', signal(), 'turn-9');
  expect(outcome).toMatchObject({ ok: false, error: 'outcome unknown (the turn was retried)' });
  expect(outcome.content).toMatch(/may have run/);
  expect(shop.requests.length).toBe(before);
});
