import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestText } from '../../shared/peer-body.ts';
import type { PostedMessage, SlackCredentials, SlackState } from './state.ts';
import { sendJson } from './wire.ts';
import { postSigned, type EventResult } from './events.ts';

// A user clicking a button of a posted message, as Slack reports it to the app's Interactivity Request URL
// (https://api.slack.com/reference/interaction-payloads/block-actions): a signed, form-encoded POST whose `payload`
// field is the JSON block_actions payload naming the action's action_id and value.

export function blockActionsPayload(creds: SlackCredentials, responseBase: string, user: string, message: PostedMessage, actionId: string): Record<string, unknown> {
  const blocks = (message.blocks ?? []) as Array<{ elements?: Array<{ action_id?: string; value?: string; text?: unknown }> }>;
  const element = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
  if (!element) throw new Error(`the message has no button ${actionId}`);
  return {
    type: 'block_actions',
    user: { id: user, team_id: creds.teamId },
    team: { id: creds.teamId },
    api_app_id: creds.appId,
    channel: { id: message.channel },
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    message: { ts: message.ts, text: message.text, blocks: message.blocks },
    trigger_id: `${Date.now()}.trigger`,
    // Slack's is https://hooks.slack.com/actions/…; the peer's own, so the app's answer to it can be seen.
    response_url: `${responseBase}/${creds.teamId}/${Date.now()}/${randomBytes(8).toString('hex')}`,
    actions: [{ type: 'button', action_id: actionId, block_id: 'csat', value: element.value, text: element.text, action_ts: String(Date.now() / 1000) }],
  };
}

export async function sendBlockAction(
  url: string,
  creds: SlackCredentials,
  responseBase: string,
  user: string,
  message: PostedMessage,
  actionId: string,
): Promise<Omit<EventResult, 'eventId'>> {
  const body = new URLSearchParams({ payload: JSON.stringify(blockActionsPayload(creds, responseBase, user, message, actionId)) }).toString();
  return postSigned(url, creds.signingSecret, body, { contentType: 'application/x-www-form-urlencoded' });
}

/** POST /actions/…: a response_url the peer handed out; the app's JSON answer is kept in state.responses. */
export async function receiveResponse(state: SlackState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (req.method !== 'POST' || !url.pathname.startsWith('/actions/')) return false;
  const text = await readRequestText(req, 64 * 1024);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    sendJson(res, 400, { ok: false, error: 'invalid_json' });
    return true;
  }
  state.responses.push({ path: url.pathname, body });
  sendJson(res, 200, { ok: true });
  return true;
}
