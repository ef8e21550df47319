import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestText } from '../../../shared/peer-body.ts';

// Byte-level habits of Meta's servers that the sandbox copies, because adapters must cope with them: webhook JSON
// escapes "/" and every non-ASCII character (PHP json_encode style), Graph errors share one envelope, ids look real.

/** JSON as Meta's webhooks serialize it: `\/` and `\uXXXX` (UTF-16 units, so emoji become surrogate pairs). */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** X-Hub-Signature-256 (and the legacy SHA-1 X-Hub-Signature Meta still sends) over the exact body bytes. */
export function hubSignatures(appSecret: string, body: string): { sha256: string; sha1: string } {
  const mac = (algo: string) => createHmac(algo, appSecret).update(Buffer.from(body, 'utf8')).digest('hex');
  return { sha256: `sha256=${mac('sha256')}`, sha1: `sha1=${mac('sha1')}` };
}

/** `wamid.` + base64 of a protobuf-like blob holding the phone number, as Meta's ids are. */
export function newWamid(phone: string): string {
  const digits = Buffer.from(phone.replace(/\D/g, '').slice(0, 20));
  const blob = Buffer.concat([Buffer.from([0x1c, 0x18, digits.length]), digits, Buffer.from([0x15, 0x02, 0x00, 0x11, 0x18, 0x12]), randomBytes(18)]);
  return `wamid.${blob.toString('base64')}`;
}

/** A Graph object id: 15–16 digits. */
export function newGraphId(): string {
  return `${randomInt(1, 10)}${Array.from({ length: 15 }, () => randomInt(0, 10)).join('')}`;
}

export interface GraphErrorSpec {
  status: number;
  code: number;
  message: string;
  type?: string;
  subcode?: number;
  details?: string;
  retryAfter?: number;
}

/** Graph's error envelope: {error: {message, type, code, error_subcode?, error_data?, fbtrace_id}}. */
export function sendGraphError(res: ServerResponse, e: GraphErrorSpec): void {
  const error = {
    message: e.message,
    type: e.type ?? 'OAuthException',
    code: e.code,
    ...(e.subcode === undefined ? {} : { error_subcode: e.subcode }),
    ...(e.details === undefined ? {} : { error_data: { messaging_product: 'whatsapp', details: e.details } }),
    fbtrace_id: randomBytes(12).toString('base64url'),
  };
  const headers: Record<string, string> = e.retryAfter === undefined ? {} : { 'retry-after': String(e.retryAfter) };
  sendJson(res, e.status, { error }, headers);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export const readBody = (req: IncomingMessage): Promise<string> => readRequestText(req);

/** Polls until `ready()` holds; rejects with `what` after timeoutMs. */
export async function waitUntil(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`meta peer: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
