import { z } from 'zod';
import type { ParseOutcome, RawWebhook } from '../../src/domain/model/adapter.ts';
import { RATING_ACTION_PREFIX } from './rating-blocks.ts';

// Slack's interactivity requests (https://api.slack.com/interactivity/handling#payloads): a form-encoded body whose
// `payload` field is JSON. Only a click on a CSAT button (rating-blocks.ts) means something here; Slack needs a 200
// within 3 seconds whatever it was, so everything else is acknowledged and ignored.

const payloadSchema = z.object({
  type: z.string(),
  response_url: z.string().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).default([]),
});

/** Posts a message response to an interaction's response_url (replacing the question and its buttons). */
export type RespondTo = (responseUrl: string, body: Record<string, unknown>) => Promise<void>;

export function parseInteraction(req: RawWebhook, respond: RespondTo): ParseOutcome {
  const raw = new URLSearchParams(req.body).get('payload');
  if (raw === null) throw new Error('Slack interaction without a payload field');
  const payload = payloadSchema.parse(JSON.parse(raw));
  const action = payload.actions.find((a) => a.action_id.startsWith(RATING_ACTION_PREFIX));
  if (payload.type !== 'block_actions' || !action?.value) return { type: 'ignored', reason: `Slack interaction ${payload.type} is not a rating` };
  const match = /^([\w-]{16,64}):([1-5])$/.exec(action.value);
  if (!match) return { type: 'ignored', reason: 'Slack rating button with a value that is not ours' };
  const responseUrl = payload.response_url;
  const confirm = responseUrl
    ? async ({ recorded, score }: { recorded: boolean; score: number }) => {
        const text = recorded ? `Thanks for your rating: ${score} of 5.` : 'Sorry, this rating could not be taken (the survey has closed).';
        await respond(responseUrl, { replace_original: true, text });
      }
    : undefined;
  return { type: 'rating', token: match[1]!, score: Number(match[2]), ...(confirm ? { confirm } : {}) };
}

/**
 * The response_url comes in a signed payload, so it is Slack's; still only Slack's hooks host (or the configured
 * API base's origin: a Slack-compatible sandbox) is ever called with it.
 */
export function responder(apiBaseUrl: string, fetchFn: typeof fetch): RespondTo {
  const allowed = new Set(['https://hooks.slack.com', new URL(apiBaseUrl).origin]);
  return async (responseUrl, body) => {
    if (!allowed.has(new URL(responseUrl).origin)) throw new Error(`response_url on ${new URL(responseUrl).origin} is not Slack's`);
    const res = await fetchFn(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`Slack response_url answered ${res.status}`);
  };
}
