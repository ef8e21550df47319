import type { Context } from 'hono';
import { events } from '../../db/schema/index.ts';
import { rateByButton } from '../../domain/csat/csat-answer.ts';
import type { Deps } from '../../deps.ts';
import type { ChannelAdapter, ParseOutcome, RawWebhook } from '../../domain/model/adapter.ts';
import { buildAdapter } from '../../domain/channels/channel-adapter.ts';
import { patchChannel } from '../../domain/channels/channel-store.ts';
import { liveChannel } from '../../domain/channels/live-channels.ts';
import { applyDeliveryUpdates } from '../../domain/outbound/delivery-status.ts';
import { acceptInbound, type WebhookChannel } from '../../domain/inbound/provider-inbound.ts';
import { NotFoundError } from '../../errors.ts';
import type { AppEnv } from '../env.ts';
import { newRouter } from '../router.ts';

// /webhooks/{channelId}/{subPath}: every provider's ingress (Twilio, Meta, Slack…), one route for all. The order
// is: verify the raw bytes → parse → commit → answer 2xx. A bad signature stores nothing; an
// authentic request we cannot parse is acknowledged and quarantined (else the provider retries for days); the
// answer goes out only after everything it carried is committed.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const QUARANTINE_KEEP_CHARS = 64 * 1024;

export function providerWebhookRoutes(deps: Deps) {
  const app = newRouter();
  const handle = async (c: Context<AppEnv>) => {
    const channelId = c.req.param('channelId') ?? '';
    const row = UUID.test(channelId) ? await liveChannel(deps, channelId) : undefined;
    const adapter = row ? buildAdapter(deps, row) : undefined;
    if (!row || !adapter) throw new NotFoundError('Channel');
    const channel: WebhookChannel = { id: row.id, orgId: row.orgId, type: row.type };
    const url = new URL(c.req.url);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const raw: RawWebhook = {
      method: c.req.method,
      // Providers sign the URL they were given, which we built from PUBLIC_URL: never trust the Host header.
      url: `${deps.config.publicUrl}${url.pathname}${url.search}`,
      subPath: c.req.param('subPath') ?? '',
      headers: c.req.raw.headers,
      body: new TextDecoder().decode(bytes),
      bytes,
      receivedAt: new Date(),
    };
    await adapter.verify(raw).catch((err: Error) => {
      // Logged, because a provider whose signatures we refuse retries for days: a changed secret or a wrong
      // PUBLIC_URL shows up here first.
      const url = raw.url.split('?')[0]; // the query may carry a provider's tokens
      deps.logger.warn({ channelId: channel.id, subPath: raw.subPath, url, err: err.message }, 'webhook refused: signature check failed');
      throw err;
    });
    let outcome: ParseOutcome;
    try {
      outcome = await adapter.parse(raw);
    } catch (err) {
      await quarantine(deps, channel, raw, err as Error);
      return c.json({ accepted: false, reason: 'unparseable; kept for inspection' }, 200);
    }
    return (await settle(deps, channel, adapter, outcome)) ?? c.json({ received: true }, 200);
  };
  app.all('/webhooks/:channelId/:subPath{.+}', handle);
  app.all('/webhooks/:channelId', handle);
  return app;
}

/** Commits what the outcome carries; returns the adapter's answer for the provider, if it has one. */
async function settle(deps: Deps, channel: WebhookChannel, adapter: ChannelAdapter, outcome: ParseOutcome): Promise<Response | undefined> {
  switch (outcome.type) {
    case 'messages':
      // In order, one at a time: a batch from one sender keeps its order in the session.
      for (const msg of outcome.messages) await acceptInbound(deps, channel, adapter, msg);
      if (outcome.updates?.length) await applyDeliveryUpdates(deps.db, channel.id, outcome.updates);
      return outcome.ack;
    case 'status':
      await applyDeliveryUpdates(deps.db, channel.id, outcome.updates);
      return outcome.ack;
    case 'handshake':
      return outcome.ack;
    case 'install':
      // An OAuth install (Slack's "Add to Slack"): the new tokens join the channel's config, sealed like any secret.
      await patchChannel(deps, channel.orgId, channel.id, { config: outcome.configPatch });
      deps.logger.info({ channelId: channel.id, keys: Object.keys(outcome.configPatch) }, 'provider install stored');
      return outcome.ack;
    case 'rating': {
      const refused = await rateByButton(deps.db, channel.id, outcome.token, outcome.score);
      if (refused) deps.logger.info({ channelId: channel.id, reason: refused }, 'rating not recorded');
      void outcome.confirm?.({ recorded: !refused, score: outcome.score }).catch((err: Error) => {
        deps.logger.warn({ channelId: channel.id, err: err.message }, 'rating confirmation not shown');
      });
      return outcome.ack;
    }
    case 'ignored':
      deps.logger.debug({ channelId: channel.id, reason: outcome.reason }, 'webhook ignored');
      return outcome.ack;
    case 'call': {
      // A call step: the channel's server half stores it and decides what to say; the adapter words the answer.
      const handleCall = deps.channels.server(channel.type)?.handleCall;
      if (!adapter.answerCall || !handleCall) throw new Error(`The ${adapter.kind} channel reported a call but cannot answer one`);
      return adapter.answerCall(await handleCall(deps, channel, adapter, outcome.event));
    }
  }
}

/**
 * An authentic request we could not read: kept in the event log (for the admin, with the error and the body) and
 * logged once, by ids: a parser's error message quotes the payload (JSON.parse: `Unexpected token … "<text>"`).
 */
async function quarantine(deps: Deps, channel: WebhookChannel, raw: RawWebhook, err: Error): Promise<void> {
  const [event] = await deps.db.insert(events).values({
    orgId: channel.orgId,
    type: 'webhook.quarantined',
    data: {
      channel_id: channel.id,
      sub_path: raw.subPath,
      error: err.message,
      content_type: raw.headers.get('content-type'),
      body: raw.body.slice(0, QUARANTINE_KEEP_CHARS),
    },
  }).returning({ id: events.id });
  const ids = { channelId: channel.id, subPath: raw.subPath, eventId: event?.id, errorType: err.name, bodyBytes: raw.bytes?.length };
  deps.logger.warn(ids, 'webhook quarantined: authentic but unparseable (the error and body are in the event)');
}
