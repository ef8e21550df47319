import { createHmac } from 'node:crypto';
import type { SlackCredentials } from './state.ts';
import { eventId as newEventId } from './wire.ts';

// What Slack posts to an app's Request URL: the event_callback envelope (and url_verification), signed with the
// signing secret over `v0:<timestamp>:<raw body>`, with the retry headers Slack adds on redelivery.

export interface SendEventOptions {
  eventId?: string;
  retryNum?: number;
  retryReason?: string;
  /** Unix seconds for X-Slack-Request-Timestamp; default now. */
  timestamp?: number;
  /** null: send no X-Slack-Signature; a string: send it as given instead of the real one. */
  signature?: string | null;
  teamId?: string;
  /** Interactivity posts a form (`payload=<json>`); events are JSON. */
  contentType?: string;
}

export interface EventResult {
  status: number;
  body: string;
  headers: Headers;
  eventId: string;
}

export function slackSignature(signingSecret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`, 'utf8').digest('hex')}`;
}

/** Slack's opaque event_context: "4-" + base64url of which event, team, app and channel it concerns. */
function eventContext(teamId: string, appId: string, event: Record<string, unknown>): string {
  const json = JSON.stringify({ et: event.type, tid: teamId, aid: appId, ...(typeof event.channel === 'string' ? { cid: event.channel } : {}) });
  return `4-${Buffer.from(json).toString('base64url')}`;
}

export function envelope(creds: SlackCredentials, event: Record<string, unknown>, eventId: string, teamId: string): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: teamId,
    context_team_id: teamId,
    context_enterprise_id: null,
    api_app_id: creds.appId,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: creds.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: eventContext(teamId, creds.appId, event),
  };
}

export async function postSigned(url: string, signingSecret: string, body: string, opts: SendEventOptions): Promise<Omit<EventResult, 'eventId'>> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'Content-Type': opts.contentType ?? 'application/json',
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'X-Slack-Request-Timestamp': String(timestamp),
  };
  if (opts.signature !== null) headers['X-Slack-Signature'] = opts.signature ?? slackSignature(signingSecret, timestamp, body);
  if (opts.retryNum !== undefined) {
    headers['X-Slack-Retry-Num'] = String(opts.retryNum);
    headers['X-Slack-Retry-Reason'] = opts.retryReason ?? 'http_timeout';
  }
  const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/**
 * Builds and posts event_callbacks. A redelivery (same event_id, same event) reuses the first body byte for byte,
 * as Slack's retries do; only the timestamp header and signature are fresh.
 */
export function eventSender(creds: SlackCredentials) {
  const bodies = new Map<string, { key: string; body: string }>();
  return async (url: string, event: Record<string, unknown>, opts: SendEventOptions = {}): Promise<EventResult> => {
    const eventId = opts.eventId ?? newEventId();
    const teamId = opts.teamId ?? creds.teamId;
    const key = `${teamId}\n${JSON.stringify(event)}`;
    let body = bodies.get(eventId)?.key === key ? bodies.get(eventId)?.body : undefined;
    if (body === undefined) {
      body = JSON.stringify(envelope(creds, event, eventId, teamId));
      bodies.set(eventId, { key, body });
    }
    return { ...(await postSigned(url, creds.signingSecret, body, opts)), eventId };
  };
}

export async function sendUrlVerification(url: string, signingSecret: string, challenge: string): Promise<Omit<EventResult, 'eventId'>> {
  const body = JSON.stringify({ token: 'legacy-verification-token', challenge, type: 'url_verification' });
  return postSigned(url, signingSecret, body, {});
}
