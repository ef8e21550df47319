import type { Server } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Db } from '../../db/client.ts';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../../http/env.ts';
import type { ChannelAdapter } from './adapter.ts';
import type { CallAnswer, CallEvent } from './call.ts';
import type { ChannelKind } from './enums.ts';
import type { InboundMessage } from './messages.ts';

// The server half of a channel, beside its adapter (docs/architecture.md "Adding a channel"). The adapter only
// translates (verify, parse, send); a channel that needs more of the server — its own routes, a listener of its own,
// periodic work, its own way of finding a session, a call flow — says so here, and core calls these hooks for every
// registered channel instead of naming any. Every hook is optional: SMS, WhatsApp, Slack and the API need none.

/** A channel's message as core's inbound path saw it: the channel it came on. */
export interface InboundChannel {
  id: string;
  orgId: string;
  type: ChannelKind;
}

/** Where a message that threads by headers belongs (resolveSession). */
export type SessionResolution =
  /** An existing session of this channel (a reply in its thread). */
  | { into: string }
  /** A new conversation; `externalThreadId` lets later messages find it again. */
  | { open: { externalThreadId?: string } }
  /** Not a conversation (an auto-reply with nothing to attach to): not stored; the hook recorded why. */
  | { drop: string };

/** What core's HTTP app hands a channel's routes: who may call them, as for every other route. */
export interface RouteKit {
  admins: MiddlewareHandler<AppEnv>;
  members: MiddlewareHandler<AppEnv>;
  idempotency: MiddlewareHandler<AppEnv>;
}

/** Something a channel started that must be stopped on shutdown. */
export interface Stoppable {
  stop(): Promise<void>;
}

export interface ChannelServer {
  kind: ChannelKind;
  /** Routes beyond /webhooks (the web chat's API and demo page), mounted on API processes. */
  routes?(deps: Deps, kit: RouteKit): OpenAPIHono<AppEnv>;
  /** Paths whose request bodies carry files (a widget upload): they get the larger body limit. */
  fileBodyPaths?: readonly RegExp[];
  /** Long-lived ingress on API processes, beside the HTTP server (the SMTP listener; the widget's sockets). */
  startIngress?(deps: Deps, http: Server): Promise<Stoppable | undefined>;
  /** Periodic work for the whole cluster (IMAP polling): elected, so one process runs each at a time. */
  periodic?(deps: Deps): { name: string; start(): Stoppable }[];
  /** Channels that thread by headers (mail): which session a message belongs to, from its hints. */
  resolveSession?(ctx: { db: Db; secret: string }, channel: InboundChannel, msg: InboundMessage): Promise<SessionResolution>;
  /** Voice: store what a call step carried and decide what to say (the adapter turns it into the provider's answer). */
  handleCall?(deps: Deps, channel: InboundChannel, adapter: ChannelAdapter, event: CallEvent): Promise<CallAnswer>;
}
