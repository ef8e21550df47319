import type { ParseOutcome, RawWebhook } from '../../src/domain/model/adapter.ts';
import type { createEventApp } from './event-app.ts';
import { slackEnvelopeSchema } from './event-schema.ts';

// The events URL (https://api.slack.com/apis/events-api). Slack wants a 2xx within 3 s, so nothing here waits on the
// network: the url_verification challenge is answered in place and event_callbacks are only translated. A body that
// is not a Slack envelope throws, and core keeps it in quarantine with a 2xx (else Slack retries, then disables us).

type EventApp = ReturnType<typeof createEventApp>;

const emptyOk = () => new Response(null, { status: 200 });

function retryHeaders(req: RawWebhook): { retryNum?: number; retryReason?: string } {
  const num = Number(req.headers.get('x-slack-retry-num') ?? NaN);
  const reason = req.headers.get('x-slack-retry-reason');
  return { ...(Number.isInteger(num) ? { retryNum: num } : {}), ...(reason ? { retryReason: reason } : {}) };
}

export async function parseEvents(app: EventApp, req: RawWebhook): Promise<ParseOutcome> {
  const envelope = slackEnvelopeSchema.parse(JSON.parse(req.body));
  switch (envelope.type) {
    case 'url_verification':
      if (envelope.challenge === undefined) throw new Error('url_verification without a challenge');
      return { type: 'handshake', ack: Response.json({ challenge: envelope.challenge }) };
    case 'app_rate_limited':
      // Slack dropped events for this workspace (over 30,000 an hour): nothing to store, only to acknowledge.
      return { type: 'ignored', reason: 'app_rate_limited: Slack is dropping events for this workspace', ack: emptyOk() };
    case 'event_callback': {
      const sink = await app.dispatch({ envelope, receivedAt: req.receivedAt, ...retryHeaders(req) });
      if (sink.messages.length > 0) return { type: 'messages', messages: sink.messages, ack: emptyOk() };
      const reason = sink.ignored.join('; ') || `${envelope.event?.type ?? 'event'} ignored (not a customer's message)`;
      return { type: 'ignored', reason, ack: emptyOk() };
    }
    default:
      return { type: 'ignored', reason: `Slack payload type ${envelope.type}`, ack: emptyOk() };
  }
}
