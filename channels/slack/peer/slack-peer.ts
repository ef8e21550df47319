import { randomBytes, randomInt } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control.ts';
import {
  type ChannelMessageInput, channelMessageEvent, type DmInput, dmEvent, type MentionInput, mentionEvent,
} from './event-shapes.ts';
import { type EventResult, eventSender, type SendEventOptions, sendUrlVerification } from './events.ts';
import { receiveResponse, sendBlockAction } from './interactions.ts';
import { publicFile, receiveUpload, serveFile, storeFile } from './files.ts';
import { authorize } from './oauth.ts';
import {
  DEFAULT_SCOPES, type PostedMessage, type SlackCall, type SlackCredentials, type SlackFile, type SlackInstall, type SlackState, type SlackUpload,
  type SlackUserProfile,
} from './state.ts';
import { handleWebApi } from './web-api.ts';
import { sendJson, slackId, tokenLike, tsClock, waitUntil } from './wire.ts';

// A local stand-in for Slack (https://api.slack.com/apis/events-api, docs/slack.md) that anyone can start offline:
// the Web API the adapter calls (slackApiUrl = peer.apiUrl), private file downloads, the OAuth v2 install flow, and
// the signed Events API posts Slack would make to the app's Request URL.

export type { ChannelMessageInput, DmInput, MentionInput } from './event-shapes.ts';
export type { EventResult, SendEventOptions } from './events.ts';
export { slackSignature } from './events.ts';
export type { PostedMessage, SlackCall, SlackFile, SlackInstall, SlackUpload, SlackUserProfile } from './state.ts';

export interface SlackPeerOptions {
  port?: number;
  signingSecret?: string;
  botToken?: string;
  teamId?: string;
  teamName?: string;
  botUserId?: string;
  appId?: string;
  clientId?: string;
  clientSecret?: string;
}

type WithTs = EventResult & { ts: string };

export interface SlackPeer extends Readonly<Omit<SlackCredentials, 'botId'>> {
  /** Base URL, no trailing slash. */
  url: string;
  /** `${url}/api/`: what @slack/web-api's slackApiUrl (and Bolt's clientOptions.slackApiUrl) wants. */
  apiUrl: string;
  authorizeUrl: string;
  botId: string;
  posted: PostedMessage[];
  uploads: SlackUpload[];
  installs: SlackInstall[];
  calls: SlackCall[];
  /** Bodies the app posted to response_url after a click (clickButton). */
  responses: Array<{ path: string; body: unknown }>;
  waitForPosted(n: number, timeoutMs?: number): Promise<PostedMessage[]>;
  /** The next `count` chat.postMessage calls answer HTTP 429 with Retry-After. */
  rateLimitNext(count: number, retryAfterSeconds: number): void;
  /** The next `count` calls of `method` answer `{ok:false, error}`. */
  failNext(method: string, count: number, error: string): void;
  addUser(id: string, profile: SlackUserProfile): void;
  addFile(bytes: Uint8Array, mimetype: string, name: string): SlackFile;
  sendEvent(eventsUrl: string, event: object, opts?: SendEventOptions): Promise<EventResult>;
  dm(eventsUrl: string, input: DmInput, opts?: SendEventOptions): Promise<WithTs>;
  mention(eventsUrl: string, input: MentionInput, opts?: SendEventOptions): Promise<WithTs>;
  channelMessage(eventsUrl: string, input: ChannelMessageInput, opts?: SendEventOptions): Promise<WithTs>;
  urlVerification(eventsUrl: string, challenge: string): Promise<Omit<EventResult, 'eventId'>>;
  /** `user` clicks the button `actionId` of a posted message: a signed block_actions POST to `interactionsUrl`. */
  clickButton(interactionsUrl: string, user: string, message: PostedMessage, actionId: string): Promise<Omit<EventResult, 'eventId'>>;
  close(): Promise<void>;
}

function defaultCredentials(opts: SlackPeerOptions): SlackCredentials {
  const digits = (n: number) => String(randomInt(10 ** (n - 1), 10 ** n));
  return {
    signingSecret: opts.signingSecret ?? randomBytes(16).toString('hex'),
    botToken: opts.botToken ?? tokenLike('xoxb'),
    teamId: opts.teamId ?? slackId('T', 8),
    teamName: opts.teamName ?? 'Switchboard Sandbox',
    botUserId: opts.botUserId ?? `${slackId('U', 6)}BOT`,
    botId: slackId('B'),
    appId: opts.appId ?? slackId('A'),
    clientId: opts.clientId ?? `${digits(10)}.${digits(10)}`,
    clientSecret: opts.clientSecret ?? randomBytes(16).toString('hex'),
  };
}

export async function startSlackPeer(opts: SlackPeerOptions = {}): Promise<SlackPeer> {
  const creds = defaultCredentials(opts);
  let baseUrl = '';
  const state: SlackState = {
    creds, url: () => baseUrl, nextTs: tsClock(), tokens: new Map([[creds.botToken, DEFAULT_SCOPES]]), users: new Map(), files: new Map(),
    pending: new Map(), codes: new Map(), posted: [], uploads: [], installs: [], calls: [], responses: [],
    rateLimited: { remaining: 0, retryAfterSeconds: 1 }, failures: new Map(),
  };
  const send = eventSender(creds);
  const withTs = async (ts: string, result: Promise<EventResult>): Promise<WithTs> => ({ ...(await result), ts });

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const route = async (): Promise<boolean> =>
      (await handleWebApi(state, req, res, url)) ||
      serveFile(state, req, res, url) ||
      authorize(state, req, res, url) ||
      (await receiveUpload(state, req, res, url)) ||
      (await receiveResponse(state, req, res, url)) ||
      (url.pathname.startsWith('/_sandbox/') && (await handleControl(peer, req, res, url)));
    route()
      .then((done) => done || res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found'))
      .catch(() => (res.headersSent ? res.destroy() : sendJson(res, 500, { ok: false, error: 'internal_error' })));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const peer: SlackPeer = {
    ...creds,
    url: baseUrl,
    apiUrl: `${baseUrl}/api/`,
    authorizeUrl: `${baseUrl}/oauth/v2/authorize`,
    posted: state.posted,
    uploads: state.uploads,
    installs: state.installs,
    calls: state.calls,
    responses: state.responses,
    waitForPosted: async (n, timeoutMs = 5000) => (await waitUntil(() => state.posted.length >= n, timeoutMs, `${n} posted message(s)`), state.posted),
    rateLimitNext: (count, retryAfterSeconds) => {
      state.rateLimited = { remaining: count, retryAfterSeconds };
    },
    failNext: (method, count, error) => {
      const queue = state.failures.get(method) ?? [];
      for (let i = 0; i < count; i++) queue.push(error);
      state.failures.set(method, queue);
    },
    addUser: (id, profile) => {
      state.users.set(id, profile);
    },
    addFile: (bytes, mimetype, name) => publicFile(storeFile(state, bytes, mimetype, name)),
    sendEvent: (eventsUrl, event, o) => send(eventsUrl, event as Record<string, unknown>, o),
    dm: (eventsUrl, input, o) => {
      const ts = input.ts ?? state.nextTs();
      return withTs(ts, send(eventsUrl, dmEvent(creds, input, ts), o));
    },
    mention: (eventsUrl, input, o) => {
      const ts = input.ts ?? state.nextTs();
      return withTs(ts, send(eventsUrl, mentionEvent(creds, input, ts), o));
    },
    channelMessage: (eventsUrl, input, o) => {
      const ts = input.ts ?? state.nextTs();
      return withTs(ts, send(eventsUrl, channelMessageEvent(creds, input, ts), o));
    },
    urlVerification: (eventsUrl, challenge) => sendUrlVerification(eventsUrl, creds.signingSecret, challenge),
    clickButton: (url, user, message, actionId) => sendBlockAction(url, creds, `${baseUrl}/actions`, user, message, actionId),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
  return peer;
}
