import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { metaConfigSchema } from '../../../channels/whatsapp/meta/config.ts';
import { whatsappMetaAdapter } from '../../../channels/whatsapp/meta/index.ts';
import type { ChannelAdapter } from '../../../src/domain/model/adapter.ts';
import type { OutboundMessage } from '../../../src/domain/model/messages.ts';
import { DeliveryError } from '../../../src/errors.ts';
import { type MetaPeer, startMetaPeer } from '../../../channels/whatsapp/meta/peer/meta-peer.ts';
import { noAttachments } from '../../helpers/adapter-deps.ts';

// Adapter → Graph API, against the sandbox: the exact payloads Meta receives, templates outside the window, and
// how each failure is classified for the dispatch worker. autoStatus is off: no callback here.

let peer: MetaPeer;
const WINDOW_CLOSED = 'window_closed: more than 24 hours since the customer last wrote; send an approved template';
const TEMPLATE = { name: 'retomar_atendimento', language: 'pt_BR', components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] };

function makeAdapter(patch: Record<string, unknown> = {}): ChannelAdapter {
  const config = metaConfigSchema.parse({
    phone_number_id: peer.phoneNumberId,
    access_token: peer.accessToken,
    app_secret: peer.appSecret,
    verify_token: peer.verifyToken,
    api_base_url: `${peer.url}/`,
    ...patch,
  });
  const deps = { fetch, now: () => new Date(), publicUrl: 'http://127.0.0.1', realtime: { toContact: async () => 0 }, loadAttachment: noAttachments };
  return whatsappMetaAdapter.create(config, deps, { id: 'chan-wa', webhookUrls: {} });
}

const reply = (patch: Partial<OutboundMessage> = {}): OutboundMessage => ({
  messageId: 'msg-1',
  sessionId: 'ses-1',
  to: { address: '+55 11 98765-4321' },
  text: 'Seu pedido sai hoje.',
  attachments: [],
  ...patch,
});
const signal = () => AbortSignal.timeout(5000);

async function sendError(adapter: ChannelAdapter, msg = reply()): Promise<DeliveryError> {
  const err = await adapter.send(msg, signal()).then(
    () => undefined,
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

beforeAll(async () => {
  peer = await startMetaPeer({ accessToken: 'EAAG-send-test' });
});
afterAll(() => peer.close());
beforeEach(() => {
  peer.sent.length = 0;
});

describe('send', () => {
  it('posts a text with Bearer auth, the recipient as digits, and returns the wamid', async () => {
    const receipt = await makeAdapter().send(reply(), signal());
    expect(peer.sent).toHaveLength(1);
    expect(peer.sent[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '5511987654321',
      biz_opaque_callback_data: 'msg-1',
      type: 'text',
      text: { preview_url: false, body: 'Seu pedido sai hoje.' },
    });
    expect(receipt).toEqual({ externalId: peer.sent[0]!.id, status: 'sent' });
    expect(receipt.externalId).toMatch(/^wamid\./);
  });

  it('sends each attachment with a URL as its own message after the text, typed by content type', async () => {
    const receipt = await makeAdapter().send(
      reply({
        attachments: [
          { filename: 'foto.jpg', contentType: 'image/jpeg', url: 'https://files.example.com/foto.jpg' },
          { filename: 'nota.pdf', contentType: 'application/pdf', url: 'https://files.example.com/nota.pdf' },
          { filename: 'audio.ogg', contentType: 'audio/ogg', url: 'https://files.example.com/audio.ogg' },
          { filename: 'inline.txt', contentType: 'text/plain', base64: 'aGk=' },
        ],
      }),
      signal()
    );
    expect(peer.sent.map((m) => [m.type, (m.body as Record<string, unknown>)[m.type]])).toEqual([
      ['text', { preview_url: false, body: 'Seu pedido sai hoje.' }],
      ['image', { link: 'https://files.example.com/foto.jpg' }],
      ['document', { link: 'https://files.example.com/nota.pdf', filename: 'nota.pdf' }],
      ['audio', { link: 'https://files.example.com/audio.ogg' }],
    ]);
    expect(receipt.externalId).toBe(peer.sent[0]!.id);
  });

  it('sends media alone when the text is empty; the receipt is the first media message', async () => {
    const receipt = await makeAdapter().send(
      reply({ text: '', attachments: [{ filename: 'v.mp4', contentType: 'video/mp4', url: 'https://files.example.com/v.mp4' }] }),
      signal()
    );
    expect(peer.sent.map((m) => m.type)).toEqual(['video']);
    expect(receipt.externalId).toBe(peer.sent[0]!.id);
  });

  it('sends the fallback template instead of text once the window has closed', async () => {
    const receipt = await makeAdapter({ fallback_template: TEMPLATE }).send(reply({ windowClosed: true }), signal());
    expect(peer.sent).toHaveLength(1);
    expect(peer.sent[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '5511987654321',
      biz_opaque_callback_data: 'msg-1',
      type: 'template',
      template: { name: 'retomar_atendimento', language: { code: 'pt_BR' }, components: TEMPLATE.components },
    });
    expect(receipt.externalId).toBe(peer.sent[0]!.id);
  });

  it('fails for good with window_closed when the window has closed and there is no template', async () => {
    const err = await sendError(makeAdapter(), reply({ windowClosed: true }));
    expect(err.retry).toBe('never');
    expect(err.message).toBe(WINDOW_CLOSED);
    expect(err.extra.providerCode).toBe('131047');
    expect(peer.sent).toHaveLength(0);
  });
});

describe('send failures', () => {
  it.each([
    ['429 with Retry-After', 'rate-limited', { status: 429, code: 130429, retryAfter: 7 }, 7000, '130429'],
    ['429 without Retry-After', 'rate-limited', { status: 429, code: 130429 }, 2000, '130429'],
    ['400 pair rate limit 131056', 'rate-limited', { status: 400, code: 131056 }, 2000, '131056'],
    ['400 app rate limit 4', 'rate-limited', { status: 400, code: 4 }, 2000, '4'],
    ['500', 'later', { status: 500, code: 1 }, undefined, '1'],
    ['503 with code 0', 'later', { status: 503, code: 0 }, undefined, '0'],
    ['400 131000 unknown error', 'later', { status: 400, code: 131000 }, undefined, '131000'],
    ['400 131026 undeliverable', 'never', { status: 400, code: 131026 }, undefined, '131026'],
    ['403 policy block 368', 'never', { status: 403, code: 368 }, undefined, '368'],
  ] as const)('%s → %s', async (_what, retry, failure, retryAfterMs, providerCode) => {
    peer.failNext(1, { ...failure, message: `(#${failure.code}) injected` });
    const err = await sendError(makeAdapter());
    expect(err.retry).toBe(retry);
    expect(err.extra.retryAfterMs).toBe(retryAfterMs);
    expect(err.extra.providerCode).toBe(providerCode);
    expect(peer.sent).toHaveLength(0);
  });

  it('131047 answered synchronously → never, window_closed', async () => {
    peer.failNext(1, { status: 400, code: 131047, message: 'Re-engagement message' });
    const err = await sendError(makeAdapter());
    expect([err.retry, err.message, err.extra.providerCode]).toEqual(['never', WINDOW_CLOSED, '131047']);
  });

  it("131026 keeps Meta's message and details", async () => {
    peer.failNext(1, { status: 400, code: 131026, message: 'Message undeliverable', details: 'Receiver is incapable of receiving this message' });
    expect((await sendError(makeAdapter())).message).toBe('Message undeliverable: Receiver is incapable of receiving this message');
  });

  it('a wrong access token → 401 code 190 from the peer → never, token expired or invalid', async () => {
    const err = await sendError(makeAdapter({ access_token: 'EAAG-revoked' }));
    expect([err.retry, err.message, err.extra.providerCode]).toEqual(['never', 'access token expired or invalid (190)', '190']);
  });

  it('text over 4096 characters is refused by the Graph API with code 100 → never', async () => {
    const err = await sendError(makeAdapter(), reply({ text: 'a'.repeat(4097) }));
    expect([err.retry, err.extra.providerCode]).toEqual(['never', '100']);
    expect(err.message).toContain('4096');
  });

  it('an unknown phone number id → code 100 → never', async () => {
    const err = await sendError(makeAdapter({ phone_number_id: '111111111111111' }));
    expect([err.retry, err.extra.providerCode]).toEqual(['never', '100']);
  });

  it('an unreachable API → later', async () => {
    const closed = await startMetaPeer();
    const url = closed.url;
    await closed.close();
    expect((await sendError(makeAdapter({ api_base_url: url }))).retry).toBe('later');
  });

  it('an aborted send → later', async () => {
    const err = await makeAdapter()
      .send(reply(), AbortSignal.abort())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).retry).toBe('later');
  });

  it('a recipient without digits → never, nothing sent', async () => {
    expect((await sendError(makeAdapter(), reply({ to: { address: 'nobody' } }))).retry).toBe('never');
    expect(peer.sent).toHaveLength(0);
  });
});

describe('the sandbox Graph API', () => {
  it('answers a wrong token with a Graph OAuthException 190 envelope', async () => {
    const res = await fetch(`${peer.url}/v21.0/${peer.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { message: expect.any(String), type: 'OAuthException', code: 190, fbtrace_id: expect.any(String) },
    });
  });

  it('answers a body without messaging_product with code 100', async () => {
    const res = await fetch(`${peer.url}/v21.0/${peer.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${peer.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: '5511987654321', type: 'text', text: { body: 'x' } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(100);
  });
});
