import type { IncomingMessage, ServerResponse } from 'node:http';
import { completeUpload, getUploadUrl } from './files.ts';
import { oauthAccess } from './oauth.ts';
import type { SlackState } from './state.ts';
import { bearerToken, type Params, parseParams, readRaw, sendJson, str, structured } from './wire.ts';

// The Web API at /api/<method>, with Slack's conventions: every API error is HTTP 200 `{ok:false, error}`; only
// rate limiting changes the status (429 + Retry-After, which @slack/web-api honours or rejects on).

const MAX_TEXT = 40_000;

type Method = (state: SlackState, params: Params, ctx: { token: string; req: IncomingMessage }) => Params;

const methods: Record<string, Method> = {
  'auth.test': ({ creds, url }) => ({
    ok: true,
    url: `${url()}/`,
    team: creds.teamName,
    user: 'switchboard',
    team_id: creds.teamId,
    user_id: creds.botUserId,
    bot_id: creds.botId,
    is_enterprise_install: false,
  }),
  'chat.postMessage': (state, params, { token }) => {
    const channel = str(params, 'channel');
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const text = str(params, 'text') ?? '';
    const blocks = structured(params, 'blocks');
    const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
    if (!text && !hasBlocks) return { ok: false, error: 'no_text' };
    if (text.length > MAX_TEXT) return { ok: false, error: 'msg_too_long' };
    const threadTs = str(params, 'thread_ts');
    const ts = state.nextTs();
    state.posted.push({
      channel, text, ...(threadTs ? { thread_ts: threadTs } : {}), ...(hasBlocks ? { blocks } : {}), token, ts, at: new Date(),
    });
    const { botUserId, botId, appId, teamId } = state.creds;
    return {
      ok: true,
      channel,
      ts,
      message: {
        type: 'message', text, user: botUserId, ts, ...(threadTs ? { thread_ts: threadTs } : {}),
        bot_id: botId, app_id: appId, team: teamId, ...(hasBlocks ? { blocks } : {}),
      },
    };
  },
  'users.info': ({ users, creds }, params) => {
    const id = str(params, 'user') ?? '';
    const user = users.get(id);
    if (!user) return { ok: false, error: 'user_not_found' };
    const profile = { real_name: user.realName, display_name: user.displayName ?? '', ...(user.email ? { email: user.email } : {}) };
    return {
      ok: true,
      user: { id, team_id: creds.teamId, name: (user.displayName || user.realName).toLowerCase().replace(/\s+/g, '.'), real_name: user.realName, is_bot: false, deleted: false, profile },
    };
  },
  'files.getUploadURLExternal': (state, params) => getUploadUrl(state, params),
  'files.completeUploadExternal': (state, params) => completeUpload(state, params),
};

/** Methods that authenticate the app rather than a token. */
const UNAUTHENTICATED: Record<string, (state: SlackState, params: Params, req: IncomingMessage) => Params> = {
  'oauth.v2.access': oauthAccess,
};

export async function handleWebApi(state: SlackState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const match = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
  if (!match?.[1] || (req.method !== 'POST' && req.method !== 'GET')) return false;
  const method = match[1];
  let params: Params;
  try {
    params = parseParams(req, await readRaw(req), url);
  } catch {
    sendJson(res, 200, { ok: false, error: 'invalid_json' });
    return true;
  }
  const token = bearerToken(req) ?? str(params, 'token');
  state.calls.push({ method, ...(token ? { token } : {}), at: new Date() });

  const handler = methods[method];
  const open = UNAUTHENTICATED[method];
  if (!handler && !open) return answer(res, { ok: false, error: 'unknown_method' });
  if (method === 'chat.postMessage' && state.rateLimited.remaining > 0) {
    state.rateLimited.remaining -= 1;
    sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'Retry-After': String(state.rateLimited.retryAfterSeconds) });
    return true;
  }
  const injected = state.failures.get(method)?.shift();
  if (injected) return answer(res, { ok: false, error: injected });
  if (open) return answer(res, open(state, params, req));
  // Slack distinguishes no token at all (not_authed) from a wrong or revoked one (invalid_auth).
  if (!token) return answer(res, { ok: false, error: 'not_authed' });
  const scopes = state.tokens.get(token);
  if (scopes === undefined || !handler) return answer(res, { ok: false, error: 'invalid_auth' });
  // Slack reports the token's scopes on every authenticated answer; @slack/web-api surfaces them as response_metadata.scopes.
  return answer(res, handler(state, params, { token, req }), { 'X-OAuth-Scopes': scopes });
}

function answer(res: ServerResponse, body: Params, headers: Record<string, string> = {}): true {
  sendJson(res, 200, body, headers);
  return true;
}
