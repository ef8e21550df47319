import type { AdapterDeps, ChannelInfo, ParseOutcome, RawWebhook } from '../../src/domain/model/adapter.ts';
import type { SlackConfig } from './config.ts';
import { htmlPage, redirectTo } from './oauth-pages.ts';
import { issueOAuthState, oauthStateProblem } from './oauth-state.ts';
import { abortable, type ClientPool } from './web-client.ts';

// "Add to Slack" (OAuth v2, https://api.slack.com/authentication/oauth-v2): /oauth/install sends the browser to
// Slack's authorize page with a signed state; Slack sends it back to /oauth/callback with a code, exchanged for the
// workspace's bot token. The adapter cannot store anything: the result is an `install` outcome whose configPatch core
// merges (sealed) into the channel's config, so the next events from that workspace find their token in
// `installations`.

const EXCHANGE_TIMEOUT_MS = 10_000;

interface OAuthAccess {
  access_token?: string;
  bot_user_id?: string;
  team?: { id?: string; name?: string } | null;
}

function oauthClient(config: SlackConfig) {
  return config.client_id && config.client_secret ? { id: config.client_id, secret: config.client_secret } : undefined;
}

const notConfigured = (): ParseOutcome => ({
  type: 'ignored',
  reason: 'OAuth is not configured on this Slack channel',
  ack: htmlPage(404, 'Slack install is not set up', 'This Slack channel has no OAuth client id and secret, so workspaces cannot install it from here. Ask the administrator to add them, or to use a bot token.'),
});

function redirectUri(channel: ChannelInfo): string {
  const uri = channel.webhookUrls.oauth_redirect;
  if (!uri) throw new Error('The Slack channel has no oauth_redirect webhook URL');
  return uri;
}

export function installRedirect(config: SlackConfig, channel: ChannelInfo, now: Date): ParseOutcome {
  const client = oauthClient(config);
  if (!client) return notConfigured();
  const url = new URL(config.authorize_url);
  url.searchParams.set('client_id', client.id);
  url.searchParams.set('scope', config.scopes.join(','));
  url.searchParams.set('redirect_uri', redirectUri(channel));
  url.searchParams.set('state', issueOAuthState(client.secret, channel.id, now));
  return { type: 'handshake', ack: redirectTo(url.href) };
}

const refused = (reason: string, page: Response): ParseOutcome => ({ type: 'ignored', reason, ack: page });

export async function installCallback(
  config: SlackConfig,
  deps: AdapterDeps,
  channel: ChannelInfo,
  clients: ClientPool,
  req: RawWebhook,
): Promise<ParseOutcome> {
  const client = oauthClient(config);
  if (!client) return notConfigured();
  const query = new URL(req.url).searchParams;
  const error = query.get('error');
  if (error) {
    return refused(`Slack OAuth answered ${error}`, htmlPage(400, 'Slack was not installed', `Slack answered: ${error}. Nothing was changed; you can close this tab and try again.`));
  }
  const problem = oauthStateProblem(client.secret, channel.id, query.get('state'), deps.now());
  if (problem) return refused(`OAuth callback refused: ${problem}`, htmlPage(400, 'Slack was not installed', `This link cannot finish the installation: ${problem}. Start again from the install link.`));
  const code = query.get('code');
  if (!code) return refused('OAuth callback without a code', htmlPage(400, 'Slack was not installed', 'Slack did not send an authorization code. Start again from the install link.'));

  let access: OAuthAccess;
  try {
    const exchange = () => clients.withoutToken().oauth.v2.access({ client_id: client.id, client_secret: client.secret, code, redirect_uri: redirectUri(channel) });
    access = (await abortable(exchange, AbortSignal.timeout(EXCHANGE_TIMEOUT_MS))) as OAuthAccess;
  } catch (err) {
    const slackError = (err as { data?: { error?: unknown } }).data?.error;
    if (typeof slackError === 'string') {
      return refused(`oauth.v2.access: ${slackError}`, htmlPage(400, 'Slack was not installed', `Slack refused the installation: ${slackError}.`));
    }
    return refused(`oauth.v2.access failed: ${(err as Error).message}`, htmlPage(502, 'Slack was not installed', 'Slack could not be reached to finish the installation. Start again from the install link in a moment.'));
  }
  const team = access.team?.id;
  if (!access.access_token?.startsWith('xox') || !access.bot_user_id || !team) {
    return refused('oauth.v2.access gave no bot token', htmlPage(400, 'Slack was not installed', 'Slack did not grant a bot token. Check that the app asks for bot scopes.'));
  }
  const teamName = access.team?.name ?? team;
  const installed = { bot_token: access.access_token, bot_user_id: access.bot_user_id, ...(access.team?.name ? { team_name: access.team.name } : {}) };
  return {
    type: 'install',
    configPatch: { installations: { ...config.installations, [team]: installed } },
    ack: htmlPage(200, 'Switchboard is installed', `Switchboard is installed in ${teamName} — you can close this tab.`),
  };
}
