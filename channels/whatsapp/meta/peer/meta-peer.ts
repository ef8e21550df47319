import { randomInt } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GraphState, handleGraph, type SentMessage, storeMedia } from './graph.ts';
import { handleControl } from './control.ts';
import { autoStatuses } from './statuses.ts';
import { type DeliveryResult, envelope, type InboundInput, inboundValue, postSigned, type WebhookSource } from './webhooks.ts';
import { type GraphErrorSpec, metaJson, newWamid, sendGraphError, waitUntil } from './wire.ts';

// A local stand-in for Meta's WhatsApp Cloud API (docs/sms-whatsapp-phone.md) that anyone can start offline: the
// Graph API the adapter sends to and downloads media from, and the webhooks Meta would post to a callback (customer
// messages, delivery statuses, the subscription handshake), signed with the app secret.

export type { SentMessage } from './graph.ts';
export type { InboundInput } from './webhooks.ts';

export interface MetaPeerOptions {
  port?: number;
  phoneNumberId?: string;
  accessToken?: string;
  appSecret?: string;
  verifyToken?: string;
  /** Post sent → delivered (or → failed 131047 outside the 24 h window) statuses after each accepted send. */
  autoStatus?: boolean;
  now?: () => Date;
  /** Where webhooks go; also settable later with setCallback. */
  callbackUrl?: string;
}

export interface MetaPeer {
  url: string;
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  /** Messages the Graph API accepted, in order. */
  sent: SentMessage[];
  /** Every webhook POST made to the callback, with the callback's answer (status 0: unreachable). */
  deliveries: Array<{ body: string; status: number; responseBody: string }>;
  setCallback(url: string): void;
  setLastInbound(waId: string, at: Date): void;
  failNext(count: number, error: { status: number; code: number; message?: string; retryAfter?: number; details?: string }): void;
  waitForSent(n: number, timeoutMs?: number): Promise<SentMessage[]>;
  waitForDeliveries(n: number, timeoutMs?: number): Promise<MetaPeer['deliveries']>;
  /** Stores media as a customer's upload; returns its media id. `announcedSha256` fakes a corrupted download. */
  addMedia(bytes: Uint8Array, mimeType: string, opts?: { announcedSha256?: string }): string;
  sendInbound(input: InboundInput): Promise<DeliveryResult & { id: string }>;
  postSigned(body: string, opts?: { signature?: string | null }): Promise<DeliveryResult>;
  handshake(verifyToken?: string, challenge?: string): Promise<DeliveryResult>;
  close(): Promise<void>;
}

export async function startMetaPeer(opts: MetaPeerOptions = {}): Promise<MetaPeer> {
  const now = opts.now ?? (() => new Date());
  const source: WebhookSource = {
    wabaId: '102290129340398',
    phoneNumberId: opts.phoneNumberId ?? '106540352242922',
    displayPhoneNumber: '15550783881',
    appSecret: opts.appSecret ?? 'sandbox-app-secret',
  };
  let callbackUrl = opts.callbackUrl;
  const lastInbound = new Map<string, Date>();
  const bodiesById = new Map<string, string>();
  const callback = () => {
    if (!callbackUrl) throw new Error('meta peer: no callback URL; call setCallback(url) first');
    return callbackUrl;
  };

  const deliveries: MetaPeer['deliveries'] = [];
  async function deliver(body: string, signature?: string | null): Promise<DeliveryResult> {
    const result = await postSigned(callback(), source.appSecret, body, signature).catch((err: Error) => ({ status: 0, body: err.message }));
    deliveries.push({ body, status: result.status, responseBody: result.body });
    return result;
  }

  const statuses = autoStatuses({ source, now, lastInbound, post: (body) => deliver(body).then(() => {}) });
  const graph: GraphState = {
    url: () => peer.url,
    phoneNumberId: source.phoneNumberId,
    accessToken: opts.accessToken ?? 'EAAG-sandbox-access-token',
    now,
    media: new Map(),
    failures: [],
    accepted: (message) => {
      peer.sent.push(message);
      if ((opts.autoStatus ?? true) && callbackUrl) statuses.after(message);
    },
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const handled = url.pathname.startsWith('/_sandbox/') ? handleControl(peer, req, res, url) : handleGraph(graph, req, res, url);
    handled
      .then((done) => done || sendGraphError(res, { status: 400, code: 2500, message: `Unknown path components: ${url.pathname}` }))
      .catch(() => (res.headersSent ? res.destroy() : sendGraphError(res, { status: 500, code: 1, message: 'An unknown error occurred' })));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));

  const peer: MetaPeer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    phoneNumberId: source.phoneNumberId,
    accessToken: graph.accessToken,
    appSecret: source.appSecret,
    verifyToken: opts.verifyToken ?? 'sandbox-verify-token',
    sent: [],
    deliveries,
    setCallback: (url) => {
      callbackUrl = url;
    },
    setLastInbound: (waId, at) => {
      lastInbound.set(waId, at);
    },
    failNext: (count, e) => {
      for (let i = 0; i < count; i++) graph.failures.push({ ...e, message: e.message ?? `(#${e.code}) Injected failure` } satisfies GraphErrorSpec);
    },
    waitForSent: async (n, timeoutMs = 5000) => (await waitUntil(() => peer.sent.length >= n, timeoutMs, `${n} sent message(s)`), peer.sent),
    waitForDeliveries: async (n, timeoutMs = 5000) => (await waitUntil(() => deliveries.length >= n, timeoutMs, `${n} webhook(s)`), deliveries),
    addMedia: (bytes, mimeType, o = {}) => storeMedia(graph, bytes, mimeType, o.announcedSha256).id,
    sendInbound: async (input) => {
      const id = input.id ?? newWamid(input.from);
      // A redelivery is byte-identical: same id, same timestamp, same signature.
      let body = bodiesById.get(id);
      if (body === undefined) {
        const at = now();
        body = metaJson(
          envelope(
            source,
            inboundValue(input, id, at, (b, m) => storeMedia(graph, b, m))
          )
        );
        bodiesById.set(id, body);
        lastInbound.set(input.from, at);
      }
      return { ...(await deliver(body)), id };
    },
    postSigned: (body, o = {}) => deliver(body, o.signature),
    handshake: async (verifyToken = peer.verifyToken, challenge = String(randomInt(1e8, 1e9))) => {
      const url = new URL(callback());
      url.searchParams.set('hub.mode', 'subscribe');
      url.searchParams.set('hub.challenge', challenge);
      url.searchParams.set('hub.verify_token', verifyToken);
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      return { status: res.status, body: await res.text() };
    },
    close: async () => {
      await statuses.idle();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
  return peer;
}
