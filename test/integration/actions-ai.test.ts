import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../src/db/schema/index.ts';
import { startWorkers, type RunningWorkers } from '../../workers/main.ts';
import { ALLOW_LOOPBACK, createTestApp, type TestApp } from '../helpers/app.ts';
import { type ActionPeer, startActionPeer } from '../peers/action-peer.ts';
import { type OpenAiPeer, startOpenAiPeer } from '../peers/openai-peer.ts';

// The OpenAI-compatible responder calling system actions as tools, end to end: a customer writes, the turn worker
// asks the model (test/peers/openai-peer.ts), the model answers with `tool_calls`, the action runs against a local
// HTTP service (loopback allowed as an operator would, OUTBOUND_ALLOW_CIDRS) through the outbound guard, its result
// goes back to the model as a `tool` message, and the model's answer reaches the customer. A failed action is the
// model's to explain; a turn that ends without an answer after one hands off, naming it.

let t: TestApp;
let workers: RunningWorkers;
let model: OpenAiPeer;
let shop: ActionPeer;
const ORDER = { type: 'object', properties: { order_id: { type: 'string', description: 'The order number, e.g. A-1001' } }, required: ['order_id'] };

beforeAll(async () => {
  [t, model, shop] = await Promise.all([createTestApp({ TURN_BURST_MS: '20', ...ALLOW_LOOPBACK }), startOpenAiPeer(), startActionPeer()]);
  workers = startWorkers(t.deps, { sweepIntervalMs: 200 });
  const ai = await t.json('PATCH', '/settings/ai', { responder: 'openai', base_url: model.baseUrl, model: 'local-model' });
  expect(ai.status, JSON.stringify(ai.body)).toBe(200);
  const defs = [
    { name: 'lookup_order', description: 'Where an order is', run_by: ['ai', 'agent'] },
    { name: 'agents_only', description: 'Not for the AI', run_by: ['agent'] },
  ];
  for (const d of defs) {
    const res = await t.json('POST', '/actions', { ...d, method: 'GET', url_template: `${shop.base}/orders/{order_id}`, headers: { 'X-Api-Key': 'shop-key-123456' }, parameters: ORDER });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
});
afterAll(async () => {
  await workers?.close();
  await t?.close();
  await Promise.all([model?.close(), shop?.close()]);
});

/** A customer asks; resolves with the session's history rows once the AI replied or handed off. */
async function ask(text: string) {
  const session = (await t.json('POST', '/chat/sessions', { contact: { email: `ai${Math.random()}@example.com` } })).body.id as string;
  expect((await t.json('POST', `/chat/sessions/${session}/send`, { sender: 'contact', message: { type: 'text', text } })).status).toBe(201);
  const rows = () => t.deps.db.select().from(messages).where(eq(messages.sessionId, session)).orderBy(asc(messages.seq));
  await expect.poll(async () => (await rows()).some((m) => m.sender === 'ai' || m.eventType === 'handoff'), { timeout: 15_000 }).toBe(true);
  return rows();
}

const toolCall = { kind: 'tool', name: 'lookup_order', args: { order_id: 'A-1001' } } as const;

describe('the AI calling system actions', () => {
  it('offers the AI’s actions as tools, runs the one it calls and answers from the result', async () => {
    const from = model.requests.length;
    shop.enqueue({ status: 200, json: { order_id: 'A-1001', status: 'shipped', carrier: 'DHL' } });
    model.enqueue(toolCall, { kind: 'text', text: 'Your order A-1001 has shipped with DHL.' });
    const rows = await ask('Where is my order A-1001?');

    const [first, second] = model.requests.slice(from);
    expect(first!.problems).toEqual([]);
    expect(first!.body.tools.map((tool: any) => tool.function.name)).toEqual(['handoff', 'lookup_order']);
    expect(first!.body.tools[1]).toEqual({ type: 'function', function: { name: 'lookup_order', description: 'Where an order is', parameters: ORDER } });
    expect(first!.body.messages[0].content).toContain('If a tool fails, tell the customer');
    // The tool result goes back answering the call by its id (the peer checks the exchange is well formed).
    expect(second!.problems).toEqual([]);
    const [assistant, tool] = second!.body.messages.slice(-2);
    expect(assistant).toMatchObject({ role: 'assistant', tool_calls: [{ function: { name: 'lookup_order' } }] });
    expect(tool).toMatchObject({ role: 'tool', tool_call_id: assistant.tool_calls[0].id });
    expect(JSON.parse(tool.content)).toEqual({ ok: true, status: 200, result: { order_id: 'A-1001', status: 'shipped', carrier: 'DHL' } });

    expect(shop.requests.at(-1)).toMatchObject({ method: 'GET', path: '/orders/A-1001' });
    expect(shop.requests.at(-1)!.headers['x-api-key']).toBe('shop-key-123456');
    const kinds = rows.map((m) => (m.eventType === 'message' ? m.sender : m.eventType));
    expect(kinds).toEqual(['contact', 'action_called', 'action_completed', 'ai']);
    expect(rows[1]!.context).toMatchObject({ called_by: { type: 'ai' }, action: { name: 'lookup_order' }, parameters: { order_id: 'A-1001' } });
    expect(rows[3]!.text).toBe('Your order A-1001 has shipped with DHL.');
  });

  it('tells the model an action failed, and the model tells the customer', async () => {
    const from = model.requests.length;
    shop.enqueue({ status: 500, json: { message: 'database down' } });
    model.enqueue(toolCall, { kind: 'text', text: 'Sorry, I could not look up your order right now.' });
    const rows = await ask('Where is my order A-1001?');

    const tool = model.requests[from + 1]!.body.messages.at(-1);
    expect(JSON.parse(tool.content)).toEqual({ ok: false, status: 500, error: 'HTTP 500: {"message":"database down"}' });
    const completed = rows.find((m) => m.eventType === 'action_completed')!;
    expect(completed.text).toBe('Action lookup_order failed: HTTP 500: {"message":"database down"}');
    expect(rows.at(-1)).toMatchObject({ sender: 'ai', text: 'Sorry, I could not look up your order right now.' });
  });

  it('hands off, naming the failed action, when the model has nothing to say after it', async () => {
    shop.enqueue({ status: 503, text: 'maintenance' });
    model.enqueue(toolCall, { kind: 'raw', body: JSON.stringify({ choices: [{ message: { role: 'assistant', content: '' }, finish_reason: 'stop' }] }) });
    const rows = await ask('Where is my order A-1001?');
    const handoff = rows.find((m) => m.eventType === 'handoff');
    expect(handoff?.text).toBe('the AI could not complete an action (failed: lookup_order: HTTP 503: maintenance)');
  });

  it('does not run an action the AI was not given, and tells the model so', async () => {
    const from = model.requests.length;
    const before = shop.requests.length;
    model.enqueue({ kind: 'tool', name: 'agents_only', args: { order_id: 'A-1001' } });
    const rows = await ask('Where is my order A-1001?');
    expect(shop.requests.length).toBe(before);
    expect(model.requests.length - from).toBe(1);
    expect(rows.find((m) => m.eventType === 'handoff')?.text).toMatch(/called unknown tool agents_only/);
  });
});
