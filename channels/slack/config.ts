import { z } from 'zod';
import type { ChannelCapabilities } from '../../src/domain/model/adapter.ts';

// A Slack app channel (docs/slack.md "Connecting a workspace"). Either one workspace with a bot token pasted by the
// admin, or OAuth (client_id + client_secret): each workspace that installs the app lands in `installations` through
// the OAuth callback, so one channel can serve several workspaces. api_base_url exists so the sandbox
// (channels/slack/peer/slack-peer.ts) or a proxy can stand in for slack.com.

export const DEFAULT_SLACK_SCOPES = [
  'app_mentions:read',
  'chat:write',
  'im:history',
  'channels:history',
  'groups:history',
  'mpim:history',
  'users:read',
  'users:read.email',
  'files:read',
  'files:write',
] as const;

const secret = (what: string) => z.string().min(1, `The ${what} is required`).max(4096);
const botToken = z.string().regex(/^xox[bp]-\S+$/, 'Expected a bot token starting with xoxb- (or xoxp-)').max(4096);
const botUserId = z.string().regex(/^[UW][A-Z0-9]+$/, 'Expected a Slack user id such as U07BOT1234');
const httpUrl = (example: string) =>
  z
    .url({ protocol: /^https?$/, error: `Expected an http(s) URL such as ${example}` })
    .transform((s) => s.replace(/\/+$/, ''));

/** One workspace that installed the app through OAuth; written by the callback, never by admins. */
const installation = z.strictObject({
  bot_token: botToken,
  bot_user_id: botUserId,
  team_name: z.string().max(500).optional(),
});

export const slackConfigSchema = z
  .strictObject({
    signing_secret: secret('signing secret'),
    bot_token: botToken.optional(),
    /** Our bot's user id; when absent it is read from each event's `authorizations[].user_id`. */
    bot_user_id: botUserId.optional(),
    api_base_url: httpUrl('https://slack.com/api').default('https://slack.com/api'),
    client_id: z.string().regex(/^\d+\.\d+$/, 'Expected the app\'s client id such as 1234567890.1234567890').optional(),
    client_secret: secret('client secret').optional(),
    scopes: z
      .array(z.string().regex(/^[a-z_]+(:[a-z_.]+)+$/, 'Expected a bot scope such as chat:write'))
      .min(1)
      .max(100)
      .default([...DEFAULT_SLACK_SCOPES]),
    authorize_url: httpUrl('https://slack.com/oauth/v2/authorize').default('https://slack.com/oauth/v2/authorize'),
    /** Team id (T…/E…) → that workspace's bot. */
    installations: z.record(z.string().regex(/^[TE][A-Z0-9]+$/, 'Expected a Slack team id'), installation).optional(),
  })
  .superRefine((c, ctx) => {
    const oauth = c.client_id !== undefined && c.client_secret !== undefined;
    if (!c.bot_token && !oauth) {
      ctx.addIssue({
        code: 'custom',
        path: ['bot_token'],
        message: 'Give the bot token (xoxb-…) of the workspace, or client_id and client_secret so workspaces can install the app',
      });
    }
    if ((c.client_id === undefined) !== (c.client_secret === undefined)) {
      const missing = c.client_id === undefined ? 'client_id' : 'client_secret';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'OAuth needs both client_id and client_secret' });
    }
  });

export type SlackConfig = z.infer<typeof slackConfigSchema>;

export const slackSecretFields = ['signing_secret', 'bot_token', 'client_secret', 'installations'] as const;

/**
 * Web API calls (and file downloads) carry a bot token, the channel's or an installation's; the OAuth code exchange
 * carries the client secret. authorize_url only ever gets the public client_id; signing_secret checks webhooks.
 */
export const slackCredentialDestinations = { api_base_url: ['bot_token', 'client_secret', 'installations'] } as const;

export const slackWebhookPaths = { events: 'events', interactions: 'interactions', oauth_redirect: 'oauth/callback', install: 'oauth/install' } as const;

export const slackCapabilities: ChannelCapabilities = {
  maxTextLength: 4000,
  textFormat: 'slack-mrkdwn',
  replyWindowMs: null,
  threads: true,
  threadsByHeaders: false,
  attachments: true,
  // After a crash mid-send: no lookup by our id yet.
  resend: 'repeats',
  csat: 'buttons', // Block Kit buttons (rating-blocks.ts), answered at the interactions webhook; a digit reply works too
};

/** The bot token for a workspace: its OAuth installation's, else the channel's own. */
export function tokenFor(config: SlackConfig, team: string | undefined): string | undefined {
  return (team ? config.installations?.[team]?.bot_token : undefined) ?? config.bot_token;
}

/** The `slackApiUrl` @slack/web-api wants: the base with one trailing slash. */
export function slackApiUrl(config: SlackConfig): string {
  return `${config.api_base_url}/`;
}
