import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_SCOPES, type SlackState } from './state.ts';
import { basicAuth, type Params, sendHtml, slackId, str, tokenLike } from './wire.ts';

// OAuth v2 install flow. The authorize page is where a workspace admin would click "Allow"; the sandbox clicks it
// at once and redirects with a single-use code, which oauth.v2.access trades for a new bot token.

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/** GET /oauth/v2/authorize?client_id&scope&redirect_uri&state */
export function authorize(state: SlackState, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (url.pathname !== '/oauth/v2/authorize' || req.method !== 'GET') return false;
  const q = url.searchParams;
  const clientId = q.get('client_id') ?? '';
  const redirectUri = q.get('redirect_uri') ?? '';
  if (clientId !== state.creds.clientId) {
    sendHtml(res, 400, `<!DOCTYPE html><html><body><h1>Oops! Something went wrong.</h1><p>Invalid client_id parameter: ${escapeHtml(clientId)}</p></body></html>`);
    return true;
  }
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    sendHtml(res, 400, '<!DOCTYPE html><html><body><h1>Oops! Something went wrong.</h1><p>redirect_uri did not match any configured URIs.</p></body></html>');
    return true;
  }
  const code = `${state.creds.teamId.slice(1)}.${Date.now()}.${randomBytes(16).toString('hex')}`;
  state.codes.set(code, { clientId, redirectUri, scope: q.get('scope') || DEFAULT_SCOPES });
  target.searchParams.set('code', code);
  if (q.has('state')) target.searchParams.set('state', q.get('state') ?? '');
  res.writeHead(302, { Location: target.toString(), 'Content-Type': 'text/html; charset=utf-8' }).end();
  return true;
}

/** oauth.v2.access: client credentials as form fields or HTTP Basic, then a code issued for the same redirect_uri. */
export function oauthAccess(state: SlackState, params: Params, req: IncomingMessage): Params {
  const basic = basicAuth(req);
  const clientId = str(params, 'client_id') ?? basic?.username;
  const clientSecret = str(params, 'client_secret') ?? basic?.password;
  if (clientId !== state.creds.clientId) return { ok: false, error: 'invalid_client_id' };
  if (clientSecret !== state.creds.clientSecret) return { ok: false, error: 'bad_client_secret' };
  const code = str(params, 'code') ?? '';
  const issued = state.codes.get(code);
  if (!issued || issued.clientId !== clientId) return { ok: false, error: 'invalid_code' };
  // Slack's own error when the redirect_uri is not the one the code was issued for (authorize always had one here).
  if (str(params, 'redirect_uri') !== issued.redirectUri) return { ok: false, error: 'bad_redirect_uri' };
  state.codes.delete(code);

  const accessToken = tokenLike('xoxb');
  state.tokens.set(accessToken, issued.scope);
  const { creds } = state;
  state.installs.push({ access_token: accessToken, code, redirect_uri: issued.redirectUri, scope: issued.scope, team_id: creds.teamId, at: new Date() });
  return {
    ok: true,
    app_id: creds.appId,
    authed_user: { id: slackId('U') },
    scope: issued.scope,
    token_type: 'bot',
    access_token: accessToken,
    bot_user_id: creds.botUserId,
    team: { id: creds.teamId, name: creds.teamName },
    enterprise: null,
    is_enterprise_install: false,
  };
}
