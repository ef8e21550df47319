import { App, LogLevel, type Receiver } from '@slack/bolt';
import type { AdapterDeps } from '../../src/domain/model/adapter.ts';
import type { InboundMessage } from '../../src/domain/model/messages.ts';
import { type SlackConfig, slackApiUrl, tokenFor } from './config.ts';
import { envelopeBotUserId, type SlackEnvelope, slackMessageEventSchema } from './event-schema.ts';
import { toInboundMessage, whyIgnored } from './inbound.ts';

// Events go through a Bolt App so its middleware (ignoreSelf) and event routing apply, but Hono owns the HTTP
// ingress and the database commit must happen before Slack gets its 200
// (https://api.slack.com/apis/events-api). So the App gets a
// receiver that never listens: parse() hands it one verified envelope, the listeners only translate, and what
// they build lands in a per-request sink passed through Bolt's customProperties (they appear on `context`).
// Nothing here does I/O: `authorize` answers from the config, so Bolt never calls auth.test.

export interface EventSink {
  messages: InboundMessage[];
  ignored: string[];
}

/** A receiver for an App whose events arrive through parse(): nothing to start or stop. */
class HandOverReceiver implements Receiver {
  init(): void {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

export interface EventDispatch {
  envelope: SlackEnvelope;
  receivedAt: Date;
  retryNum?: number;
  retryReason?: string;
}

export function createEventApp(config: SlackConfig, deps: AdapterDeps, channelId: string) {
  /** Ours by config, else by the workspace's installation, else as the envelope says. */
  const botUserIdFor = (team: string | undefined, envelope: SlackEnvelope) =>
    config.bot_user_id ?? (team ? config.installations?.[team]?.bot_user_id : undefined) ?? envelopeBotUserId(envelope);

  const app = new App({
    receiver: new HandOverReceiver(),
    authorize: async (source, body) => ({
      botToken: tokenFor(config, source.teamId),
      botUserId: botUserIdFor(source.teamId, (body ?? {}) as SlackEnvelope),
      teamId: source.teamId,
    }),
    ignoreSelf: true,
    convoStore: false,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: slackApiUrl(config), fetch: deps.fetch },
  });

  const translate = async ({ event, body, context }: { event: unknown; body: unknown; context: Record<string, unknown> }) => {
    const sink = context.switchboardSink as EventSink;
    const receivedAt = context.switchboardReceivedAt as Date;
    const parsed = slackMessageEventSchema.safeParse(event);
    if (!parsed.success) {
      sink.ignored.push('event without the fields of a message');
      return;
    }
    const envelope = body as SlackEnvelope;
    const botUserId = typeof context.botUserId === 'string' ? context.botUserId : undefined;
    const reason = whyIgnored(parsed.data, botUserId);
    if (reason) sink.ignored.push(reason);
    else sink.messages.push(toInboundMessage(parsed.data, envelope, channelId, botUserId, receivedAt));
  };
  app.event('message', translate);
  app.event('app_mention', translate);

  return {
    /** Runs one event_callback envelope through the App; resolves once every listener has run. */
    async dispatch({ envelope, receivedAt, retryNum, retryReason }: EventDispatch): Promise<EventSink> {
      const sink: EventSink = { messages: [], ignored: [] };
      await app.processEvent({
        body: envelope,
        ack: async () => {},
        ...(retryNum === undefined ? {} : { retryNum }),
        ...(retryReason === undefined ? {} : { retryReason }),
        customProperties: { switchboardSink: sink, switchboardReceivedAt: receivedAt },
      });
      return sink;
    },
  };
}
