import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DmInput } from './event-shapes.ts';
import type { EventResult } from './events.ts';
import type { PostedMessage } from './state.ts';
import { readRaw, sendJson } from './wire.ts';

// The sandbox's own buttons for a human trying the Slack channel with curl: "a customer DMs the bot" and "what did
// the bot post". Not part of Slack's API, hence the /_sandbox prefix.

export interface ControlTarget {
  posted: PostedMessage[];
  dm(eventsUrl: string, input: DmInput): Promise<EventResult & { ts: string }>;
}

export async function handleControl(peer: ControlTarget, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname === '/_sandbox/posted' && req.method === 'GET') {
    sendJson(res, 200, peer.posted);
    return true;
  }
  if (url.pathname !== '/_sandbox/slack' || req.method !== 'POST') return false;
  let input: { events_url?: unknown; user?: unknown; text?: unknown };
  try {
    input = JSON.parse((await readRaw(req)).toString('utf8')) as typeof input;
  } catch {
    sendJson(res, 400, { error: 'body must be JSON: {"events_url", "user", "text"}' });
    return true;
  }
  const { events_url: eventsUrl, user, text } = input ?? {};
  if (typeof eventsUrl !== 'string' || typeof user !== 'string' || typeof text !== 'string') {
    sendJson(res, 400, { error: 'events_url, user and text are required strings' });
    return true;
  }
  try {
    const result = await peer.dm(eventsUrl, { user, text });
    sendJson(res, 200, { status: result.status, body: result.body, event_id: result.eventId, ts: result.ts });
  } catch (err) {
    sendJson(res, 502, { error: `could not deliver to ${eventsUrl}: ${(err as Error).message}` });
  }
  return true;
}
