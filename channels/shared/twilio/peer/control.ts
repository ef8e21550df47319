import type { ServerResponse } from 'node:http';
import { sendJson } from './http.ts';
import type { InboundSender } from './inbound.ts';
import type { PeerState } from './state.ts';

// A tiny control API for humans trying the sandbox with curl: play a customer's text, read what was sent.
//   POST /_sandbox/sms       {"webhook_url","from","to","body"}  → the webhook's answer
//   GET  /_sandbox/messages                                      → every message the gateway sent

export async function handleControl(
  state: PeerState,
  inbound: InboundSender,
  method: string,
  path: string,
  body: string,
  res: ServerResponse,
): Promise<void> {
  if (method === 'GET' && path === '/_sandbox/messages') return sendJson(res, 200, state.sent);
  if (method !== 'POST' || path !== '/_sandbox/sms') return sendJson(res, 404, { error: `no sandbox route ${method} ${path}` });

  let input: Record<string, unknown>;
  try {
    input = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return sendJson(res, 400, { error: 'expected a JSON body' });
  }
  const field = (name: string) => (typeof input[name] === 'string' ? (input[name] as string) : '');
  const missing = ['webhook_url', 'from', 'to'].filter((name) => !field(name));
  if (missing.length > 0) return sendJson(res, 400, { error: `missing ${missing.join(', ')}` });

  try {
    const result = await inbound.send(field('webhook_url'), { from: field('from'), to: field('to'), body: field('body') });
    sendJson(res, 200, { status: result.status, body: result.body, message_sid: result.messageSid });
  } catch (err) {
    sendJson(res, 502, { error: `webhook unreachable: ${err instanceof Error ? err.message : String(err)}` });
  }
}
