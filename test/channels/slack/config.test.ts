import { describe, expect, it } from 'vitest';
import { DEFAULT_SLACK_SCOPES, slackConfigSchema, tokenFor } from '../../../channels/slack/config.ts';
import { slackAdapter } from '../../../channels/slack/index.ts';

// The Slack channel's config: a bot token, or an OAuth client; sensible defaults; secrets declared so core seals them.

const base = { signing_secret: 'shh-signing' };

function issues(input: unknown): Array<{ path: string; message: string }> {
  const r = slackConfigSchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('slack config', () => {
  it('accepts a single-workspace bot token and fills the defaults', () => {
    const c = slackConfigSchema.parse({ ...base, bot_token: 'xoxb-1-2-abc' });
    expect(c).toMatchObject({
      signing_secret: 'shh-signing',
      bot_token: 'xoxb-1-2-abc',
      api_base_url: 'https://slack.com/api',
      authorize_url: 'https://slack.com/oauth/v2/authorize',
    });
    expect(c.scopes).toEqual([...DEFAULT_SLACK_SCOPES]);
    expect(c.scopes).toEqual(expect.arrayContaining(['chat:write', 'files:read', 'files:write', 'users:read.email', 'app_mentions:read']));
  });

  it('accepts OAuth alone (client id and secret, no token) and strips trailing slashes from URLs', () => {
    const c = slackConfigSchema.parse({ ...base, client_id: '123.456', client_secret: 'cs', api_base_url: 'http://127.0.0.1:9/api///' });
    expect(c.bot_token).toBeUndefined();
    expect(c.api_base_url).toBe('http://127.0.0.1:9/api');
  });

  it('needs a bot token or an OAuth client, and says so on bot_token', () => {
    const found = issues(base);
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe('bot_token');
    expect(found[0]!.message).toMatch(/bot token.*client_id and client_secret/);
  });

  it('refuses half an OAuth client', () => {
    expect(issues({ ...base, bot_token: 'xoxb-1', client_id: '123.456' })).toEqual([{ path: 'client_secret', message: expect.stringMatching(/both/) }]);
    expect(issues({ ...base, bot_token: 'xoxb-1', client_secret: 'cs' })).toEqual([{ path: 'client_id', message: expect.stringMatching(/both/) }]);
  });

  it('checks the shapes of tokens, ids and URLs, and unknown keys', () => {
    expect(issues({ ...base, bot_token: 'xapp-1-nope' }).map((i) => i.path)).toContain('bot_token');
    expect(issues({ ...base, bot_token: 'xoxb-1', bot_user_id: 'bot' }).map((i) => i.path)).toEqual(['bot_user_id']);
    expect(issues({ ...base, bot_token: 'xoxb-1', api_base_url: 'ftp://x' }).map((i) => i.path)).toEqual(['api_base_url']);
    expect(issues({ ...base, bot_token: 'xoxb-1', webhook_secret: 'x' }).map((i) => i.path)).toEqual(['']);
    expect(issues({ bot_token: 'xoxb-1' }).map((i) => i.path)).toEqual(['signing_secret']);
    expect(issues({ ...base, bot_token: 'xoxb-1', scopes: ['chat write'] }).map((i) => i.path)).toEqual(['scopes.0']);
  });

  it('validates installations by team id, and prefers a team\'s own token', () => {
    const c = slackConfigSchema.parse({
      ...base,
      bot_token: 'xoxb-default',
      installations: { T0TEAMA: { bot_token: 'xoxb-team-a', bot_user_id: 'U0BOTA', team_name: 'A Corp' } },
    });
    expect(tokenFor(c, 'T0TEAMA')).toBe('xoxb-team-a');
    expect(tokenFor(c, 'T0OTHER')).toBe('xoxb-default');
    expect(tokenFor(c, undefined)).toBe('xoxb-default');
    expect(issues({ ...base, bot_token: 'xoxb-1', installations: { team: { bot_token: 'xoxb-2', bot_user_id: 'U1' } } }).map((i) => i.path)).toEqual(['installations.team']);
    expect(issues({ ...base, bot_token: 'xoxb-1', installations: { T1: { bot_token: 'nope', bot_user_id: 'U1' } } }).map((i) => i.path)).toEqual(['installations.T1.bot_token']);
  });

  it('declares its secrets, webhook paths and capabilities', () => {
    expect(slackAdapter.kind).toBe('slack');
    expect(slackAdapter.providers).toEqual(['slack']);
    expect([...slackAdapter.secretFields].sort()).toEqual(['bot_token', 'client_secret', 'installations', 'signing_secret']);
    expect(slackAdapter.webhookPaths).toEqual({ events: 'events', interactions: 'interactions', oauth_redirect: 'oauth/callback', install: 'oauth/install' });
    expect(slackAdapter.capabilities).toEqual({
      maxTextLength: 4000,
      textFormat: 'slack-mrkdwn',
      replyWindowMs: null,
      threads: true,
      threadsByHeaders: false,
      attachments: true,
      resend: 'repeats',
      csat: 'buttons',
    });
  });
});
