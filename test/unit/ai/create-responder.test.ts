import { describe, expect, it } from 'vitest';
import { createResponder } from '../../../src/ai/create-responder.ts';
import { SETTINGS, signal, turn } from './fixtures.ts';

// The organization's settings choose the responder; fetch is the only door to the network.

const refusingFetch = (async () => {
  throw new Error('no network in this test');
}) as typeof fetch;

describe('createResponder', () => {
  it('builds the embedded knowledge responder by default, which never uses the network', async () => {
    const out = await createResponder(SETTINGS, { fetch: refusingFetch }).respond(turn('How long does shipping take?'), signal());
    expect(out).toMatchObject({ type: 'reply', sources: ['kb-shipping'] });
  });

  it('builds the openai responder with the injected fetch', async () => {
    const calls: string[] = [];
    const fakeFetch = (async (url: string | URL | Request) => {
      calls.push(String(url));
      return Response.json({ choices: [{ message: { role: 'assistant', content: 'From the model' }, finish_reason: 'stop' }] });
    }) as typeof fetch;
    const settings = { ...SETTINGS, responder: 'openai' as const, base_url: 'http://model.test/v1/', model: 'm' };
    const out = await createResponder(settings, { fetch: fakeFetch }).respond(turn('How long does shipping take?'), signal());
    expect(out).toMatchObject({ type: 'reply', text: 'From the model', confidence: 0.8 });
    expect(calls).toEqual(['http://model.test/v1/chat/completions']);
  });

  it('falls back to the knowledge responder when openai lacks base_url or model', async () => {
    const out = await createResponder({ ...SETTINGS, responder: 'openai', model: 'm' }, { fetch: refusingFetch }).respond(turn('How long does shipping take?'), signal());
    expect(out).toMatchObject({ type: 'reply', sources: ['kb-shipping'] });
  });
});
