import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control.ts';
import { basicAuth, readBody, sendTwilioError, sendUnauthenticated } from './http.ts';
import { InboundSender, type InboundOptions, type InboundResult, postSigned, type SignedPostOptions } from './inbound.ts';
import { MEDIA_PATH, MediaStore, STORAGE_PATH } from './media.ts';
import { handleCreateMessage, handleListMessages } from './messages.ts';
import {
  isAuthorized,
  type PeerState,
  type SentMessage,
  type StatusCallbackRecord,
  type StatusOutcome,
  type TwilioFailure,
} from './state.ts';
import { twilioSid, twilioToken } from './sids.ts';

// A Twilio Messaging look-alike on 127.0.0.1, for tests and for trying SMS/WhatsApp channels offline: the REST
// Messages API (via the real twilio SDK pointed at `url`), signed inbound and status webhooks, Basic-auth media.

export type { InboundOptions, InboundResult, SentMessage, StatusCallbackRecord, StatusOutcome, TwilioFailure };

export interface TwilioPeerOptions {
  port?: number;
  accountSid?: string;
  authToken?: string;
  /** Post `sent` then `delivered` to each StatusCallback (default true). */
  autoStatus?: boolean;
  /** Used for every webhook the peer posts (default: global fetch). */
  fetch?: typeof fetch;
}

export interface TwilioPeer {
  /** Use as the channel's api_base_url. */
  url: string;
  accountSid: string;
  authToken: string;
  sent: SentMessage[];
  /** E.164 numbers that texted STOP (SMS): creates to them fail with 21610. */
  optedOut: Set<string>;
  statusCallbacks: StatusCallbackRecord[];
  /** Accept an API key (SK…) for REST and media; both generated when omitted. */
  addApiKey(sid?: string, secret?: string): { sid: string; secret: string };
  failNext(count: number, failure: TwilioFailure): void;
  setStatusOutcome(to: string, outcome: StatusOutcome): void;
  waitForSent(n: number, timeoutMs?: number): Promise<SentMessage[]>;
  waitForStatusCallbacks(n: number, timeoutMs?: number): Promise<StatusCallbackRecord[]>;
  addMedia(bytes: Uint8Array, contentType: string): string;
  sendInbound(webhookUrl: string, opts: InboundOptions): Promise<InboundResult>;
  postSigned(url: string, params: Record<string, string>, opts?: SignedPostOptions): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/;

export async function startTwilioPeer(opts: TwilioPeerOptions = {}): Promise<TwilioPeer> {
  const waiters = new Set<() => void>();
  const state: PeerState = {
    url: '',
    accountSid: opts.accountSid ?? twilioSid('AC'),
    authToken: opts.authToken ?? twilioToken(),
    apiKeys: new Map(),
    sent: [],
    optedOut: new Set(),
    failures: [],
    outcomes: new Map(),
    lastInbound: new Map(),
    statusCallbacks: [],
    autoStatus: opts.autoStatus ?? true,
    fetch: opts.fetch ?? globalThis.fetch,
    shutdown: new AbortController(),
    timers: new Set(),
    changed: () => waiters.forEach((wake) => wake()),
  };
  const media = new MediaStore(state);
  const inbound = new InboundSender(state, media);

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://peer');
    const method = req.method ?? 'GET';
    if (pathname.startsWith('/_sandbox/')) return handleControl(state, inbound, method, pathname, await readBody(req), res);
    const storage = STORAGE_PATH.exec(pathname);
    if (storage?.[1] && method === 'GET') return media.serveStorage(res, storage[1], searchParams.get('Signature'));
    // Twilio checks credentials before it looks at the path.
    if (!isAuthorized(state, basicAuth(req))) return sendUnauthenticated(res);
    const mediaMatch = MEDIA_PATH.exec(pathname);
    if (mediaMatch?.[1] && mediaMatch[3] && method === 'GET') return media.serveMedia(req, res, mediaMatch[1], mediaMatch[3]);
    const messages = MESSAGES_PATH.exec(pathname);
    if (messages?.[1] === state.accountSid && method === 'POST') return handleCreateMessage(state, await readBody(req), res);
    if (messages?.[1] === state.accountSid && method === 'GET') return handleListMessages(state, searchParams, res);
    sendTwilioError(res, 404, 20404, `The requested resource ${pathname} was not found`);
  };

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendTwilioError(res, 500, 20500, `Internal server error: ${String(err)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const waitUntil = <T>(ready: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const value = ready();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`twilio peer: ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return {
    url: state.url,
    accountSid: state.accountSid,
    authToken: state.authToken,
    sent: state.sent,
    optedOut: state.optedOut,
    statusCallbacks: state.statusCallbacks,
    addApiKey(sid = twilioSid('SK'), secret = twilioToken()) {
      state.apiKeys.set(sid, secret);
      return { sid, secret };
    },
    failNext(count, failure) {
      for (let i = 0; i < count; i++) state.failures.push(failure);
    },
    setStatusOutcome(to, outcome) {
      state.outcomes.set(to.replace(/^whatsapp:/, ''), outcome);
    },
    waitForSent: (n, timeoutMs = 5000) =>
      waitUntil(() => (state.sent.length >= n ? state.sent : undefined), timeoutMs, `fewer than ${n} messages sent`),
    waitForStatusCallbacks: (n, timeoutMs = 5000) =>
      waitUntil(
        () => (state.statusCallbacks.length >= n ? state.statusCallbacks : undefined),
        timeoutMs,
        `fewer than ${n} status callbacks posted`,
      ),
    addMedia: (bytes, contentType) => media.add(bytes, contentType),
    sendInbound: (webhookUrl, inboundOpts) => inbound.send(webhookUrl, inboundOpts),
    postSigned: (url, params, postOpts) => postSigned(state, url, params, postOpts),
    close: async () => {
      state.shutdown.abort();
      for (const timer of state.timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
