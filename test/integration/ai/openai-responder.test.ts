import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createResponder } from '../../../src/ai/create-responder.ts';
import type { AiSettings } from '../../../src/ai/responder.ts';
import { type OpenAiPeer, startOpenAiPeer } from '../../peers/openai-peer.ts';
import { SETTINGS, signal, turn } from '../../unit/ai/fixtures.ts';

// The openai responder against a real HTTP server speaking the chat-completions protocol: the exact request it
// sends, and what it makes of each kind of answer. Every failure must end in a handoff that says why.

let peer: OpenAiPeer;
let settings: AiSettings;

beforeEach(async () => {
  peer = await startOpenAiPeer({ apiKey: 'sk-test-123' });
  settings = { ...SETTINGS, responder: 'openai', base_url: peer.baseUrl, model: 'gpt-test', api_key: 'sk-test-123', timeout_ms: 2_000 };
});
afterEach(() => peer.close());

const responder = (over: Partial<AiSettings> = {}) => createResponder({ ...settings, ...over }, { fetch });

const conversation = () =>
  turn(['How long does shipping take?', 'to Canada'], {
    history: [
      ['contact', 'Hi, I ordered a jacket'],
      ['ai', 'Hello! How can I help you today?'],
      ['system', 'You are number 2 in the queue.'],
      ['agent', 'Hi, Sam here. The assistant will help you with the rest.'],
    ],
  });

describe('openai responder: respond', () => {
  it('sends the model, the key, a system prompt with the knowledge, the history in order and the handoff tool', async () => {
    peer.enqueue({ kind: 'text', text: 'Standard delivery takes 7-14 business days internationally.' });
    const out = await responder().respond(conversation(), signal());

    expect(out).toEqual({
      type: 'reply',
      text: 'Standard delivery takes 7-14 business days internationally.',
      confidence: 0.8,
      sources: expect.arrayContaining(['kb-shipping']),
      sentiment: 'neutral',
    });
    expect(peer.requests).toHaveLength(1);
    const [req] = peer.requests;
    expect(req!.problems).toEqual([]);
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/v1/chat/completions');
    expect(req!.headers.authorization).toBe('Bearer sk-test-123');
    expect(req!.body.model).toBe('gpt-test');
    const [system, ...chat] = req!.body.messages;
    expect(system.role).toBe('system');
    expect(system.content).toContain('call the `handoff` tool');
    expect(system.content).toContain('<article id="kb-shipping" title="Shipping times"');
    expect(system.content).toContain('Standard delivery takes 3-5 business days');
    expect(system.content).toContain("The customer's name: Ada.");
    // The most relevant article comes first.
    expect(system.content.indexOf('kb-shipping')).toBeLessThan(system.content.indexOf('kb-refunds'));
    // contact → user, ai → assistant, agent → assistant marked; system notices left out; runs of one role merged.
    expect(chat).toEqual([
      { role: 'user', content: 'Hi, I ordered a jacket' },
      { role: 'assistant', content: 'Hello! How can I help you today?\n\n[human agent] Hi, Sam here. The assistant will help you with the rest.' },
      { role: 'user', content: 'How long does shipping take?\n\nto Canada' },
    ]);
    expect(req!.body.tools).toEqual([
      expect.objectContaining({ type: 'function', function: expect.objectContaining({ name: 'handoff', parameters: expect.objectContaining({ required: ['reason', 'summary'] }) }) }),
    ]);
    expect(req!.body.tool_choice).toBe('auto');
  });

  it('hands off when the model calls the handoff tool, with its summary', async () => {
    peer.enqueue({ kind: 'tool', name: 'handoff', args: { reason: 'needs_account_action', summary: 'Wants to change the address of order 1042.' } });
    const out = await responder().respond(turn('Please change the delivery address of order 1042'), signal());
    expect(out).toEqual({
      type: 'handoff',
      reason: 'ai_decided_to_handoff_the_conversation',
      why: 'the model handed off: needs_account_action',
      summary: 'Wants to change the address of order 1042.',
      sentiment: 'neutral',
    });
  });

  it("maps the model's forbidden_topic to Open's ai_is_forbidden_from_handling_this_topic", async () => {
    peer.enqueue({ kind: 'tool', name: 'handoff', args: { reason: 'forbidden_topic', summary: 'Asks for legal advice.' } });
    const out = await responder().respond(turn('Can I sue my landlord?'), signal());
    expect(out).toMatchObject({ type: 'handoff', reason: 'ai_is_forbidden_from_handling_this_topic' });
  });

  it('hands off on a 500, naming the status and the error', async () => {
    peer.enqueue({ kind: 'status', status: 500, message: 'The server had an error while processing your request.' });
    const out = await responder().respond(turn('How long does shipping take?'), signal());
    expect(out.type).toBe('handoff');
    expect(out).toMatchObject({ why: 'AI endpoint failed (http): HTTP 500: The server had an error while processing your request.' });
    // The agent still gets a summary of what the customer wants.
    expect(out).toMatchObject({ summary: 'How long does shipping take?' });
  });

  it('hands off on a wrong key (401) without leaking the key', async () => {
    const out = await responder({ api_key: 'sk-wrong' }).respond(turn('How long does shipping take?'), signal());
    expect(out).toMatchObject({ type: 'handoff', why: 'AI endpoint failed (http): HTTP 401: Incorrect API key provided.' });
    expect(JSON.stringify(out)).not.toContain('sk-wrong');
  });

  it('hands off when the answer is slower than timeout_ms, without waiting for it', async () => {
    peer.enqueue({ kind: 'slow', ms: 5_000, then: { kind: 'text', text: 'too late' } });
    const started = Date.now();
    const out = await responder({ timeout_ms: 300 }).respond(turn('How long does shipping take?'), signal());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(out).toMatchObject({ type: 'handoff', why: 'AI endpoint failed (timeout): no answer within 300 ms' });
  });

  it('hands off on a body that is not JSON', async () => {
    peer.enqueue({ kind: 'raw', body: '{"choices": [oops' });
    const out = await responder().respond(turn('How long does shipping take?'), signal());
    expect(out).toMatchObject({ type: 'handoff', why: expect.stringMatching(/^AI endpoint failed \(malformed\): response is not JSON/) });
  });

  it('hands off on JSON of the wrong shape and on empty content', async () => {
    peer.enqueue({ kind: 'raw', body: '{"choices": []}' }, { kind: 'text', text: '   ' });
    const wrong = await responder().respond(turn('How long does shipping take?'), signal());
    expect(wrong).toMatchObject({ type: 'handoff', why: expect.stringMatching(/^AI endpoint failed \(malformed\): unexpected response shape: choices/) });
    const empty = await responder().respond(turn('How long does shipping take?'), signal());
    expect(empty).toMatchObject({ type: 'handoff', why: 'AI endpoint failed (empty): no reply text' });
  });

  it('hands off when nothing listens at base_url', async () => {
    const port = await freePort();
    const out = await responder({ base_url: `http://127.0.0.1:${port}/v1` }).respond(turn('How long does shipping take?'), signal());
    expect(out).toMatchObject({ type: 'handoff', why: expect.stringMatching(/^AI endpoint failed \(network\): request failed/) });
  });

  it('applies the handoff triggers before calling the model', async () => {
    const asked = await responder().respond(turn('I want to talk to a human'), signal());
    expect(asked).toMatchObject({ type: 'handoff', why: 'the customer asked for a person (en)' });
    const ruled = await responder({ handoff: { ...settings.handoff, custom_data_rules: [{ plan: 'enterprise' }] } }).respond(
      turn('How long does shipping take?', { session: { customData: { plan: 'enterprise' } } }),
      signal(),
    );
    expect(ruled).toMatchObject({ type: 'handoff', why: 'routing rule matched: {"plan":"enterprise"}' });
    expect(peer.requests).toHaveLength(0);
  });

  it('closes as resolved when the customer confirms, without a model call', async () => {
    const out = await responder().respond(turn('Thanks, that solved it!', { history: [['contact', 'Where is my parcel?'], ['ai', 'Here is the tracking link.']] }), signal());
    expect(out).toEqual({ type: 'resolved', text: expect.stringContaining('Glad') });
    expect(peer.requests).toHaveLength(0);
  });

  it('sends no Authorization header when no key is configured (Ollama, llama.cpp)', async () => {
    const open = await startOpenAiPeer();
    try {
      open.enqueue({ kind: 'text', text: 'Hello!' });
      await responder({ base_url: open.baseUrl, api_key: undefined }).respond(turn('How long does shipping take?'), signal());
      expect(open.requests[0]!.headers.authorization).toBeUndefined();
      expect(open.requests[0]!.problems).toEqual([]);
    } finally {
      await open.close();
    }
  });

  it("rejects with the caller's reason when the caller aborts (the job is retried, not handed off)", async () => {
    peer.enqueue({ kind: 'slow', ms: 5_000, then: { kind: 'text', text: 'too late' } });
    const controller = new AbortController();
    const pending = responder().respond(turn('How long does shipping take?'), controller.signal);
    setTimeout(() => controller.abort(new Error('worker shutting down')), 100);
    await expect(pending).rejects.toThrow('worker shutting down');
  });
});

describe('openai responder: summarize', () => {
  const closed = () =>
    turn('Thanks, that solved it', {
      history: [
        ['contact', 'I want a refund for my broken headphones.'],
        ['ai', 'You can return any item within 30 days for a full refund.'],
      ],
    });

  it('asks for a JSON summary (response_format json_object) and returns it', async () => {
    peer.enqueue({ kind: 'text', text: JSON.stringify({ summary: 'Customer asked about a refund; resolved.', sentiment: 'Positive', topics: ['refund', 'headphones'] }) });
    const out = await responder().summarize(closed(), signal());
    expect(out).toEqual({ summary: 'Customer asked about a refund; resolved.', sentiment: 'happy', topics: ['refund', 'headphones'] });
    const [req] = peer.requests;
    expect(req!.problems).toEqual([]);
    expect(req!.body.response_format).toEqual({ type: 'json_object' });
    expect(req!.body.messages[1]).toEqual({
      role: 'user',
      content: 'Customer: I want a refund for my broken headphones.\nAI assistant: You can return any item within 30 days for a full refund.\nCustomer: Thanks, that solved it',
    });
  });

  it('falls back to the extractive summary on an error, bad JSON or a wrong shape', async () => {
    peer.enqueue({ kind: 'status', status: 503 }, { kind: 'text', text: 'Sure! Here is your summary' }, { kind: 'text', text: '{"topics": 3}' });
    for (let i = 0; i < 3; i++) {
      const out = await responder().summarize(closed(), signal());
      expect(out.summary).toBe('I want a refund for my broken headphones.');
      expect(out.topics).toContain('refund');
    }
    expect(peer.requests).toHaveLength(3);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
