import { randomBytes, randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBytes } from '../../shared/peer-body.ts';

// Byte-level habits of Slack's servers that the sandbox copies: ids with a type letter, message timestamps that are
// unique and increasing, Web API params that arrive as a form, JSON or a query string, and tokens from either the
// Authorization header or a `token` param.

export const readRaw = (req: IncomingMessage): Promise<Buffer> => readRequestBytes(req);

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
}

export type Params = Record<string, unknown>;

/**
 * Web API arguments, wherever the caller put them. @slack/web-api sends a form whose nested values (blocks, files)
 * are JSON strings; a hand-written client often sends JSON; GET puts them in the query.
 */
export function parseParams(req: IncomingMessage, raw: Buffer, url: URL): Params {
  const params: Params = Object.fromEntries(url.searchParams);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (raw.length === 0) return params;
  if (type.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(params, parsed);
  } else {
    Object.assign(params, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
  }
  return params;
}

/** A string param, or undefined when absent or empty (Slack treats `channel=` like no channel). */
export function str(params: Params, name: string): string | undefined {
  const value = params[name];
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A structured param that a form carries as a JSON string and a JSON body carries as itself. */
export function structured(params: Params, name: string): unknown {
  const value = params[name];
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec((req.headers.authorization ?? '').trim());
  return match?.[1];
}

export function basicAuth(req: IncomingMessage): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec((req.headers.authorization ?? '').trim());
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A Slack object id: type letter (T team, U user, B bot, A app, F file, D DM, C channel) + upper-case alnum. */
export function slackId(prefix: string, length = 10): string {
  return prefix + Array.from({ length }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('');
}

export function eventId(): string {
  return slackId('Ev', 10);
}

export function tokenLike(prefix: 'xoxb' | 'xoxp'): string {
  const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');
  return `${prefix}-${digits(13)}-${digits(13)}-${randomBytes(18).toString('base64url').slice(0, 24)}`;
}

/** Message timestamps: "seconds.microseconds", never repeated, always increasing, close to the wall clock. */
export function tsClock(): () => string {
  let last = 0;
  return () => {
    const micros = Math.max(Date.now() * 1000, last + 100);
    last = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  };
}

export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`slack peer: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
