import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { metaConfigSchema } from '../../../channels/whatsapp/meta/config.ts';
import { whatsappMetaAdapter } from '../../../channels/whatsapp/meta/index.ts';
import type { ChannelAdapter, ParseOutcome, RawWebhook } from '../../../src/domain/model/adapter.ts';
import { WebhookAuthError } from '../../../src/errors.ts';
import { type MetaPeer, startMetaPeer } from '../../../channels/whatsapp/meta/peer/meta-peer.ts';
import { metaJson } from '../../../channels/whatsapp/meta/peer/wire.ts';
import { noAttachments } from '../../helpers/adapter-deps.ts';

// Meta → adapter: the sandbox posts real, signed webhooks to a small gateway stand-in that does what the ingress
// route does (raw body → verify → parse → answer the ack, or 403), so signatures are checked on real bytes.

const CUSTOMER = '5511987654321';
let peer: MetaPeer;
let adapter: ChannelAdapter;
let gateway: Server;
let outcomes: ParseOutcome[];
let rejected: WebhookAuthError[];

function startGateway(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const { port } = server.address() as AddressInfo;
      const raw: RawWebhook = {
        method: req.method ?? 'GET',
        url: `http://127.0.0.1:${port}${req.url}`,
        subPath: 'inbound',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: new Date(),
      };
      try {
        await adapter.verify(raw);
      } catch (err) {
        if (!(err instanceof WebhookAuthError)) throw err;
        rejected.push(err);
        res.writeHead(err.status).end(err.message);
        return;
      }
      const outcome = await adapter.parse(raw);
      outcomes.push(outcome);
      const ack = ('ack' in outcome && outcome.ack) || new Response('', { status: 200 });
      res.writeHead(ack.status, Object.fromEntries(ack.headers)).end(await ack.text());
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function makeAdapter(patch: Record<string, unknown> = {}): ChannelAdapter {
  const config = metaConfigSchema.parse({
    phone_number_id: peer.phoneNumberId,
    access_token: peer.accessToken,
    app_secret: peer.appSecret,
    verify_token: peer.verifyToken,
    api_base_url: peer.url,
    ...patch,
  });
  const deps = { fetch, now: () => new Date(), publicUrl: 'http://127.0.0.1', realtime: { toContact: async () => 0 }, loadAttachment: noAttachments };
  return whatsappMetaAdapter.create(config, deps, { id: 'chan-wa', webhookUrls: {} });
}

const messagesOf = (o: ParseOutcome | undefined) => {
  if (o?.type !== 'messages') throw new Error(`expected messages, got ${JSON.stringify(o)}`);
  return o;
};

beforeAll(async () => {
  peer = await startMetaPeer({ phoneNumberId: '106540352242922', appSecret: 'app-secret-1', verifyToken: 'vt-1' });
  gateway = await startGateway();
  peer.setCallback(`http://127.0.0.1:${(gateway.address() as AddressInfo).port}/webhooks/chan-wa/inbound`);
});
afterAll(async () => {
  await peer.close();
  gateway.closeAllConnections();
  await new Promise((r) => gateway.close(r));
});
beforeEach(() => {
  adapter = makeAdapter();
  outcomes = [];
  rejected = [];
});

describe('subscription handshake (GET)', () => {
  it('echoes the challenge exactly, as text/plain, when the verify token matches', async () => {
    const result = await peer.handshake(undefined, '1158201444');
    expect(result).toEqual({ status: 200, body: '1158201444' });
    expect(outcomes[0]?.type).toBe('handshake');
  });

  it('answers 403 to a wrong verify token', async () => {
    const result = await peer.handshake('not-the-token', '42');
    expect(result.status).toBe(403);
    expect(result.body).not.toContain('42');
    expect(rejected).toHaveLength(1);
    expect(outcomes).toHaveLength(0);
  });

  it('answers 403 when hub.mode is not subscribe', async () => {
    const { port } = gateway.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/x?hub.mode=unsubscribe&hub.verify_token=vt-1&hub.challenge=7`);
    expect(res.status).toBe(403);
  });
});

describe('signed notifications (POST)', () => {
  it('parses a text with non-ASCII, escaped by Meta as \\uXXXX, verified on the raw bytes', async () => {
    const text = 'Olá, meu pedido não chegou 🧾';
    const sent = await peer.sendInbound({ from: CUSTOMER, name: 'Ana Souza', text });
    expect(sent).toMatchObject({ status: 200, body: 'OK' });
    const body = peer.deliveries.at(-1)!.body;
    expect(body).toContain('Ol\\u00e1');
    expect(body).toContain('\\ud83e\\uddfe');

    const [message] = messagesOf(outcomes[0]).messages;
    expect(message).toMatchObject({
      channel: 'whatsapp',
      channelId: 'chan-wa',
      externalId: sent.id,
      text,
      attachments: [],
      from: { address: CUSTOMER, phone: `+${CUSTOMER}`, name: 'Ana Souza' },
    });
    expect(Math.abs(message!.sentAt.getTime() - Date.now())).toBeLessThan(5000);
    expect(message!.raw).toMatchObject({ message: { id: sent.id, type: 'text' }, contact: { wa_id: CUSTOMER } });
  });

  it('refuses the same content re-serialized (the signature covers bytes, not the JSON value)', async () => {
    await peer.sendInbound({ from: CUSTOMER, text: 'Pão de açúcar' });
    const original = peer.deliveries.at(-1)!.body;
    const signature = `sha256=${createHmac('sha256', peer.appSecret).update(original).digest('hex')}`;
    const reserialized = JSON.stringify(JSON.parse(original));
    expect(reserialized).not.toBe(original);
    expect((await peer.postSigned(reserialized, { signature })).status).toBe(403);
  });

  it.each([
    ['missing', null],
    ['wrong', `sha256=${'0'.repeat(64)}`],
    ['malformed', 'sha1=abc'],
  ])('answers 403 to a %s X-Hub-Signature-256 and parses nothing', async (_what, signature) => {
    const body = metaJson({ object: 'whatsapp_business_account', entry: [] });
    expect((await peer.postSigned(body, { signature })).status).toBe(403);
    expect(rejected[0]).toBeInstanceOf(WebhookAuthError);
    expect(rejected[0]?.code).toBe('FORBIDDEN');
    expect(outcomes).toHaveLength(0);
  });

  it('answers 403 when the channel has another app secret', async () => {
    adapter = makeAdapter({ app_secret: 'someone-elses-secret' });
    expect((await peer.sendInbound({ from: CUSTOMER, text: 'hi' })).status).toBe(403);
  });

  it('parses an image as an attachment referencing the Graph media object, caption as text', async () => {
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    await peer.sendInbound({ from: CUSTOMER, image: { bytes, mimeType: 'image/jpeg', caption: 'Segue o comprovante' } });
    const [message] = messagesOf(outcomes[0]).messages;
    const [att] = message!.attachments;
    const mediaId = (message!.raw as { message: { image: { id: string } } }).message.image.id;
    expect(message!.text).toBe('Segue o comprovante');
    expect(att).toEqual({
      filename: `${mediaId}.jpg`,
      contentType: 'image/jpeg',
      url: `${peer.url}/v21.0/${mediaId}`,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const fetched = await adapter.fetchMedia!(att!, 1000, AbortSignal.timeout(5000));
    expect(Buffer.from(fetched.bytes)).toEqual(Buffer.from(bytes));
  });

  it('parses a location pin as text with a maps link', async () => {
    await peer.sendInbound({
      from: CUSTOMER,
      location: { latitude: -23.5614, longitude: -46.6559, name: 'Loja Paulista', address: 'Av. Paulista, 1000' },
    });
    const [message] = messagesOf(outcomes[0]).messages;
    expect(message!.text).toBe('📍 Loja Paulista, Av. Paulista, 1000 (-23.5614, -46.6559)\nhttps://www.google.com/maps?q=-23.5614,-46.6559');
  });

  it('redelivers the very same body for the same wamid, which parses to the same externalId', async () => {
    const first = await peer.sendInbound({ from: CUSTOMER, text: 'once', id: 'wamid.REDELIVERED1' });
    const again = await peer.sendInbound({ from: CUSTOMER, text: 'once', id: 'wamid.REDELIVERED1' });
    expect(first.id).toBe(again.id);
    expect(peer.deliveries.at(-1)!.body).toBe(peer.deliveries.at(-2)!.body);
    expect(outcomes.map((o) => messagesOf(o).messages[0]!.externalId)).toEqual(['wamid.REDELIVERED1', 'wamid.REDELIVERED1']);
  });
});

const change = (phoneNumberId: string, value: Record<string, unknown>) => ({
  field: 'messages',
  value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId }, ...value },
});
const envelopeOf = (...entries: Array<Array<ReturnType<typeof change>>>) =>
  metaJson({ object: 'whatsapp_business_account', entry: entries.map((changes, i) => ({ id: `waba${i}`, changes })) });

describe('batched notifications', () => {
  it('loops over every entry and change, keeps this number only, and carries statuses beside messages', async () => {
    const mine = peer.phoneNumberId;
    const body = envelopeOf(
      [
        change(mine, {
          contacts: [
            { profile: { name: 'Ana' }, wa_id: '5511911110000' },
            { profile: { name: 'Bruno' }, wa_id: '5511922220000' },
          ],
          messages: [
            { from: '5511911110000', id: 'wamid.A', timestamp: '1732400000', type: 'text', text: { body: 'primeira' } },
            {
              from: '5511922220000',
              id: 'wamid.B',
              timestamp: '1732400001',
              type: 'interactive',
              interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Sim, confirmar' } },
            },
            { from: '5511922220000', id: 'wamid.R', timestamp: '1732400002', type: 'reaction', reaction: { message_id: 'wamid.A', emoji: '👍' } },
          ],
          statuses: [{ id: 'wamid.OUT1', status: 'delivered', timestamp: '1732400003', recipient_id: '5511911110000' }],
        }),
      ],
      [change('999999999999999', { messages: [{ from: '1', id: 'wamid.OTHER', timestamp: '1', type: 'text', text: { body: 'not ours' } }] })],
      [
        change(mine, {
          messages: [
            { from: '5511933330000', id: 'wamid.C', timestamp: '1732400004', type: 'button', button: { text: 'Parar promoções', payload: 'stop' } },
          ],
        }),
      ]
    );
    expect((await peer.postSigned(body)).status).toBe(200);
    const outcome = messagesOf(outcomes[0]);
    expect(outcome.messages.map((m) => [m.externalId, m.text, m.from.name])).toEqual([
      ['wamid.A', 'primeira', 'Ana'],
      ['wamid.B', 'Sim, confirmar', 'Bruno'],
      ['wamid.C', 'Parar promoções', undefined],
    ]);
    expect(outcome.messages[0]!.sentAt).toEqual(new Date(1732400000 * 1000));
    expect(outcome.updates).toEqual([{ externalId: 'wamid.OUT1', status: 'delivered' }]);
  });

  it('maps statuses, including 131047 as window_closed and other failures with their details', async () => {
    const body = envelopeOf([
      change(peer.phoneNumberId, {
        statuses: [
          { id: 'wamid.S1', status: 'sent', timestamp: '1', recipient_id: CUSTOMER },
          { id: 'wamid.S1', status: 'read', timestamp: '2', recipient_id: CUSTOMER },
          {
            id: 'wamid.S2',
            status: 'failed',
            timestamp: '3',
            recipient_id: CUSTOMER,
            errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: '…24 hours…' } }],
          },
          {
            id: 'wamid.S3',
            status: 'failed',
            timestamp: '4',
            recipient_id: CUSTOMER,
            errors: [
              {
                code: 131026,
                title: 'Message undeliverable',
                message: 'Message undeliverable',
                error_data: { details: 'Receiver is incapable of receiving this message' },
              },
            ],
          },
          { id: 'wamid.S4', status: 'deleted', timestamp: '5', recipient_id: CUSTOMER },
        ],
      }),
    ]);
    expect((await peer.postSigned(body)).status).toBe(200);
    expect(outcomes[0]).toMatchObject({
      type: 'status',
      updates: [
        { externalId: 'wamid.S1', status: 'sent' },
        { externalId: 'wamid.S1', status: 'read' },
        {
          externalId: 'wamid.S2',
          status: 'failed',
          error: 'window_closed: more than 24 hours since the customer last wrote; send an approved template',
          providerCode: '131047',
        },
        {
          externalId: 'wamid.S3',
          status: 'failed',
          error: 'Message undeliverable: Receiver is incapable of receiving this message',
          providerCode: '131026',
        },
      ],
    });
  });

  it.each([
    ['a body that is not JSON', '{"object":'],
    ['another object', metaJson({ object: 'page', entry: [] })],
    [
      'only another number',
      envelopeOf([change('123', { messages: [{ from: '1', id: 'wamid.X', timestamp: '1', type: 'text', text: { body: 'x' } }] })]),
    ],
    [
      'only a reaction',
      envelopeOf([
        change('106540352242922', { messages: [{ from: '1', id: 'wamid.Y', timestamp: '1', type: 'reaction', reaction: { emoji: '❤' } }] }),
      ]),
    ],
  ])('acks %s with 200 OK and ignores it', async (_what, body) => {
    expect(await peer.postSigned(body)).toEqual({ status: 200, body: 'OK' });
    expect(outcomes[0]?.type).toBe('ignored');
  });
});

describe('statuses the sandbox posts after a send', () => {
  const reply = (to: string, text: string) => ({ messageId: 'm1', sessionId: 's1', to: { address: `+${to}` }, text, attachments: [] });

  it('reports sent then delivered inside the 24-hour window', async () => {
    await peer.sendInbound({ from: '5511944440000', text: 'oi' });
    const receipt = await adapter.send(reply('5511944440000', 'Olá!'), AbortSignal.timeout(5000));
    await expect.poll(() => outcomes.length).toBe(3);
    expect(outcomes.slice(1).map((o) => o.type === 'status' && o.updates[0])).toEqual([
      { externalId: receipt.externalId, status: 'sent', messageId: 'm1' },
      { externalId: receipt.externalId, status: 'delivered', messageId: 'm1' },
    ]);
  });

  it('reports sent then failed 131047 when the customer last wrote over 24 hours ago', async () => {
    peer.setLastInbound('5511955550000', new Date(Date.now() - 25 * 3600_000));
    const receipt = await adapter.send(reply('5511955550000', 'Ainda precisa de ajuda?'), AbortSignal.timeout(5000));
    await expect.poll(() => outcomes.length).toBe(2);
    expect(outcomes.map((o) => o.type === 'status' && o.updates[0])).toEqual([
      { externalId: receipt.externalId, status: 'sent', messageId: 'm1' },
      {
        externalId: receipt.externalId,
        messageId: 'm1',
        status: 'failed',
        error: 'window_closed: more than 24 hours since the customer last wrote; send an approved template',
        providerCode: '131047',
      },
    ]);
  });
});

describe('sandbox control API', () => {
  it('POST /_sandbox/whatsapp makes the customer write; GET /_sandbox/messages lists accepted sends', async () => {
    const res = await fetch(`${peer.url}/_sandbox/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: '5511966660000', name: 'Carla', text: 'Quero falar com alguém' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: expect.stringMatching(/^wamid\./), callback_status: 200 });
    expect(messagesOf(outcomes[0]).messages[0]).toMatchObject({ text: 'Quero falar com alguém', from: { name: 'Carla' } });

    const bad = await fetch(`${peer.url}/_sandbox/whatsapp`, { method: 'POST', body: JSON.stringify({ from: '+55', text: '' }) });
    expect(bad.status).toBe(400);

    const list = (await (await fetch(`${peer.url}/_sandbox/messages`)).json()) as { data: Array<{ id: string }> };
    expect(list.data.map((m) => m.id)).toEqual(peer.sent.map((m) => m.id));
  });
});
