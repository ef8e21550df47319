import { z } from 'zod';

// The parts of Slack's Events API payloads we read (https://api.slack.com/apis/events-api), parsed at the edge. Loose
// objects: Slack adds fields without notice, and the envelope is stored whole as `raw` anyway.

const slackFile = z.looseObject({
  id: z.string().optional(),
  name: z.string().nullish(),
  title: z.string().nullish(),
  mimetype: z.string().nullish(),
  size: z.number().nullish(),
  url_private: z.string().nullish(),
  url_private_download: z.string().nullish(),
});

export const slackMessageEventSchema = z.looseObject({
  type: z.string(),
  subtype: z.string().optional(),
  channel: z.string().optional(),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().nullish(),
  text: z.string().nullish(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
  team: z.string().optional(),
  hidden: z.boolean().optional(),
  files: z.array(slackFile).optional(),
});
export type SlackMessageEvent = z.infer<typeof slackMessageEventSchema>;

const authorization = z.looseObject({
  team_id: z.string().nullish(),
  user_id: z.string().nullish(),
  is_bot: z.boolean().optional(),
});

export const slackEnvelopeSchema = z.looseObject({
  type: z.string(),
  challenge: z.string().optional(),
  team_id: z.string().optional(),
  event_id: z.string().optional(),
  event_time: z.number().optional(),
  authorizations: z.array(authorization).optional(),
  event: z.looseObject({ type: z.string() }).optional(),
});
export type SlackEnvelope = z.infer<typeof slackEnvelopeSchema>;

/** Our bot's user id as the envelope states it (the installation the event was delivered for). */
export function envelopeBotUserId(envelope: SlackEnvelope): string | undefined {
  const auths = envelope.authorizations ?? [];
  const ours = auths.find((a) => a.is_bot && (!envelope.team_id || a.team_id === envelope.team_id)) ?? auths.find((a) => a.is_bot);
  return ours?.user_id ?? undefined;
}
