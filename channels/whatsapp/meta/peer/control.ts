import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetaPeer } from './meta-peer.ts';
import { readBody, sendJson } from './wire.ts';

// The sandbox's own small control API, for trying a channel by hand (curl) rather than from a test:
//   POST /_sandbox/whatsapp {from, name?, text}  → the customer writes (a signed webhook to the callback)
//   GET  /_sandbox/messages                      → what the Graph API accepted

export async function handleControl(peer: MetaPeer, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname === '/_sandbox/messages' && req.method === 'GET') {
    sendJson(res, 200, { data: peer.sent });
    return true;
  }
  if (url.pathname !== '/_sandbox/whatsapp' || req.method !== 'POST') return false;

  let input: { from?: unknown; name?: unknown; text?: unknown };
  try {
    input = JSON.parse(await readBody(req)) as typeof input;
  } catch {
    sendJson(res, 400, { error: 'body must be JSON: {"from": "<digits>", "name"?: "…", "text": "…"}' });
    return true;
  }
  if (typeof input.from !== 'string' || !/^\d{5,20}$/.test(input.from) || typeof input.text !== 'string' || !input.text) {
    sendJson(res, 400, { error: '"from" (5–20 digits) and a non-empty "text" are required' });
    return true;
  }
  const name = typeof input.name === 'string' ? { name: input.name } : {};
  try {
    const result = await peer.sendInbound({ from: input.from, text: input.text, ...name });
    sendJson(res, 200, { id: result.id, callback_status: result.status, callback_body: result.body });
  } catch (err) {
    sendJson(res, 409, { error: (err as Error).message });
  }
  return true;
}
