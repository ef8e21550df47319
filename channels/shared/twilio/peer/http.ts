import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestText } from '../../peer-body.ts';

// Wire helpers for the Twilio peer: bodies, Twilio's JSON error shape, HTTP Basic.

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export const readBody = (req: IncomingMessage): Promise<string> => readRequestText(req, MAX_BODY_BYTES);

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

/** Twilio's REST error body: `{code, message, more_info, status}`. */
export function sendTwilioError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}

export function sendUnauthenticated(res: ServerResponse): void {
  sendTwilioError(res, 401, 20003, 'Authenticate', { 'WWW-Authenticate': 'Basic realm="Twilio API"' });
}

export function basicAuth(req: IncomingMessage): { username: string; password: string } | undefined {
  const header = req.headers.authorization ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Form params with repeats kept (MediaUrl may be given up to ten times). */
export function formValues(body: string): { get(name: string): string; all(name: string): string[] } {
  const params = new URLSearchParams(body);
  return { get: (name) => params.get(name) ?? '', all: (name) => params.getAll(name) };
}
