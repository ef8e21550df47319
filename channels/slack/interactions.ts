import { z } from 'zod';
import type { ParseOutcome, RawWebhook } from '../../src/domain/model/adapter.ts';
import { RATING_ACTION_PREFIX } from './rating-blocks.ts';

// Slack's interactivity requests (https://api.slack.com/interactivity/handling#payloads): a form-encoded body whose
// `payload` field is JSON. Only a click on a CSAT button (rating-blocks.ts) means something here; Slack needs a 200
// within 3 seconds whatever it was, so everything else is acknowledged and ignored.

const payloadSchema = z.object({
  type: z.string(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).default([]),
});

export function parseInteraction(req: RawWebhook): ParseOutcome {
  const raw = new URLSearchParams(req.body).get('payload');
  if (raw === null) throw new Error('Slack interaction without a payload field');
  const payload = payloadSchema.parse(JSON.parse(raw));
  const action = payload.actions.find((a) => a.action_id.startsWith(RATING_ACTION_PREFIX));
  if (payload.type !== 'block_actions' || !action?.value) return { type: 'ignored', reason: `Slack interaction ${payload.type} is not a rating` };
  const match = /^([\w-]{16,64}):([1-5])$/.exec(action.value);
  if (!match) return { type: 'ignored', reason: 'Slack rating button with a value that is not ours' };
  return { type: 'rating', token: match[1]!, score: Number(match[2]) };
}
