// The console's only door to the gateway: the same public API the SDKs use, authenticated by the
// sb_console cookie (sent automatically, same origin) plus the CSRF token on every write.

/** @type {string | null} */
let csrfToken = null;

/** @param {string | null | undefined} token */
export function setCsrf(token) {
  csrfToken = token ?? null;
}

/** An API failure: `message` is the ErrorDto's message, `status` the HTTP status. */
export class ApiError extends Error {
  /** @param {string} message @param {number} status 0: the network failed @param {unknown} [body] the response, parsed */
  constructor(message, status, body) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

/** @type {Set<(err: ApiError) => void>} */
const listeners = new Set();
/** Called with the ApiError whenever a request comes back 401 (the session ended). @param {(err: ApiError) => void} fn */
export function onUnauthorized(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The API's JSON answer (its DTOs, described by GET /openapi.json, are not typed here), or null for a 204.
 * @param {string} method @param {string} path @param {unknown} [body] JSON @returns {Promise<any>} */
export async function request(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('Network error: the gateway could not be reached', 0);
  }
  if (res.status === 204) return null;
  const text = await res.text();
  /** @type {any} */
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) {
    const message = (data && typeof data === 'object' && (data.message || data.error?.message || data.error)) || `Request failed (${res.status})`;
    const err = new ApiError(String(message), res.status, data);
    if (res.status === 401 && !path.startsWith('/console/api/login')) for (const fn of listeners) fn(err);
    throw err;
  }
  return data;
}

/** Query string from an object, skipping empty values. @param {Record<string, unknown> | null | undefined} params */
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** What views get as ctx.api. @typedef {typeof api} Api */
export const api = {
  get: (/** @type {string} */ path) => request('GET', path),
  post: (/** @type {string} */ path, /** @type {unknown} */ body = {}) => request('POST', path, body),
  patch: (/** @type {string} */ path, /** @type {unknown} */ body = {}) => request('PATCH', path, body),
  put: (/** @type {string} */ path, /** @type {unknown} */ body = {}) => request('PUT', path, body),
  del: (/** @type {string} */ path) => request('DELETE', path),
  qs,
  stream,
};

/** @param {string} email @param {string} password */
export async function login(email, password) {
  const out = await request('POST', '/console/api/login', { email, password });
  setCsrf(out.csrf_token);
  return out;
}

export async function logout() {
  try {
    await request('POST', '/console/api/logout', {});
  } finally {
    setCsrf(null);
  }
}

/** The signed-in agent, or null when there is no valid console session. */
export async function me() {
  try {
    const out = await request('GET', '/console/api/me');
    setCsrf(out.csrf_token);
    return out;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/** One server-sent event: `data` is its JSON (the event's fields, as GET /openapi.json describes them), or the raw text.
 * @typedef {{type: string, data: any, id: string}} LiveEvent */
/** @typedef {'live' | 'reconnecting' | 'closed'} LiveStatus */

/**
 * Live events of the org: onEvent({ type, data, id }) for each server-sent event. EventSource reconnects by
 * itself and resends Last-Event-ID. Returns a function that closes the stream.
 * @param {(event: LiveEvent) => void} onEvent @param {(status: LiveStatus) => void} [onStatus]
 */
export function stream(onEvent, onStatus = () => {}) {
  const source = new EventSource('/console/api/stream', { withCredentials: true });
  /** @param {MessageEvent} e */
  const handle = (e) => {
    /** @type {any} */
    let data = null;
    try {
      data = JSON.parse(e.data);
    } catch {
      data = e.data;
    }
    onEvent({ type: e.type === 'message' ? data?.type ?? 'message' : e.type, data, id: e.lastEventId });
  };
  source.onmessage = handle;
  // Named events (`event: conversation.contact_response`) need their own listeners.
  for (const type of STREAM_TYPES) source.addEventListener(type, handle);
  source.onopen = () => onStatus('live');
  source.onerror = () => onStatus(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  return () => source.close();
}

const STREAM_TYPES = [
  'conversation.started',
  'conversation.contact_response',
  'conversation.ai_response',
  'conversation.agent_response',
  'conversation.agent_note',
  'conversation.private_note',
  'conversation.system_message',
  'conversation.assigned',
  'conversation.unassigned',
  'conversation.handoff',
  'conversation.handoff_to_human',
  'conversation.status_changed',
  'conversation.closed',
  'conversation.reopened',
  'conversation.updated',
  'message.status',
  'message.delivered',
  'message.failed',
  'action.called',
  'action.completed',
];
