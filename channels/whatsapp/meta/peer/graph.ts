import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkOutbound } from './outbound-rules.ts';
import { type GraphErrorSpec, newGraphId, newWamid, readBody, sendGraphError, sendJson } from './wire.ts';

// The sandbox's Graph API: POST /{version}/{phone_number_id}/messages, GET /{version}/{media_id} and the
// lookaside download URL it hands out. Bearer auth, Meta's status codes and error envelope throughout.

export interface SentMessage {
  id: string;
  to: string;
  type: string;
  body: unknown;
  at: Date;
}

export interface StoredMedia {
  bytes: Buffer;
  mimeType: string;
  sha256: string;
}

export interface GraphState {
  url(): string;
  phoneNumberId: string;
  accessToken: string;
  now(): Date;
  media: Map<string, StoredMedia>;
  /** Injected failures, answered in order instead of accepting the next sends. */
  failures: GraphErrorSpec[];
  accepted(message: SentMessage): void;
}

const VERSION = /^v\d+\.\d+$/;
export const LOOKASIDE_PATH = '/lookaside/whatsapp_business/attachments/';

/** `announcedSha256` stands in for bytes corrupted between Meta's check and the download. */
export function storeMedia(state: GraphState, bytes: Uint8Array, mimeType: string, announcedSha256?: string): { id: string; sha256: string } {
  const id = newGraphId();
  const buf = Buffer.from(bytes);
  const sha256 = announcedSha256 ?? createHash('sha256').update(buf).digest('hex');
  state.media.set(id, { bytes: buf, mimeType, sha256 });
  return { id, sha256 };
}

function authorized(state: GraphState, req: IncomingMessage, url: URL, res: ServerResponse): boolean {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('access_token');
  if (token === state.accessToken) return true;
  const message = token
    ? 'Invalid OAuth access token - Cannot parse access token'
    : 'An active access token must be used to query information about the current user.';
  sendGraphError(res, { status: 401, code: 190, message });
  return false;
}

const unknownObject = (id: string, verb: string): GraphErrorSpec => ({
  status: 400,
  code: 100,
  subcode: 33,
  type: 'GraphMethodException',
  message: `Unsupported ${verb} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
});

/** Answers a Graph request; false when the path is not the Graph API's. */
export async function handleGraph(state: GraphState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname === LOOKASIDE_PATH && req.method === 'GET') {
    if (!authorized(state, req, url, res)) return true;
    const media = state.media.get(url.searchParams.get('mid') ?? '');
    if (!media) {
      sendGraphError(res, { status: 404, code: 100, message: 'Media not found' });
    } else {
      res.writeHead(200, { 'content-type': media.mimeType, 'content-length': media.bytes.length });
      res.end(media.bytes);
    }
    return true;
  }
  const [version, id, edge, ...rest] = url.pathname.split('/').slice(1);
  if (!version || !VERSION.test(version) || !id || rest.length) return false;
  if (!authorized(state, req, url, res)) return true;

  if (edge === 'messages' && req.method === 'POST') await postMessage(state, req, res, id);
  else if (edge === undefined && req.method === 'GET') getMedia(state, res, id);
  else sendGraphError(res, { status: 400, code: 2500, message: `Unknown path components: /${edge ?? ''}` });
  return true;
}

function getMedia(state: GraphState, res: ServerResponse, id: string): void {
  const media = state.media.get(id);
  if (!media) return sendGraphError(res, unknownObject(id, 'get'));
  const expires = Math.floor(state.now().getTime() / 1000) + 300;
  const url = `${state.url()}${LOOKASIDE_PATH}?mid=${id}&ext=${expires}&hash=${media.sha256.slice(0, 16)}`;
  const { mimeType: mime_type, sha256 } = media;
  sendJson(res, 200, { messaging_product: 'whatsapp', url, mime_type, sha256, file_size: media.bytes.length, id });
}

async function postMessage(state: GraphState, req: IncomingMessage, res: ServerResponse, phoneNumberId: string): Promise<void> {
  const raw = await readBody(req);
  if (phoneNumberId !== state.phoneNumberId) return sendGraphError(res, unknownObject(phoneNumberId, 'post'));
  const failure = state.failures.shift();
  if (failure) return sendGraphError(res, failure);

  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return sendGraphError(res, { status: 400, code: 100, message: '(#100) Invalid parameter', details: 'The request body is not valid JSON' });
  }
  const b = (body ?? {}) as Record<string, unknown>;
  // Marking a message read has its own answer and produces no message.
  const markRead = b.status === 'read' && b.messaging_product === 'whatsapp' && typeof b.message_id === 'string';
  if (markRead) return sendJson(res, 200, { success: true });
  const problem = checkOutbound(body);
  if (problem) return sendGraphError(res, problem);

  const to = String(b.to).replace(/\D/g, '');
  const type = typeof b.type === 'string' ? b.type : 'text';
  const id = newWamid(to);
  const template = type === 'template' ? { message_status: 'accepted' } : {};
  sendJson(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: b.to, wa_id: to }], messages: [{ id, ...template }] });
  state.accepted({ id, to, type, body, at: state.now() });
}
