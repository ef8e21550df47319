import { t } from './i18n.js';

// The widget's WebSocket (docs/web-chat.md): a visitor token first, then hello → ready; reconnects with
// exponential backoff and full jitter, at once after a 4401 (token renewed), and when the page comes back from
// sleep or offline. On every ready the caller re-sends what is unacknowledged; other frames go to `onFrame`.

/** @typedef {ReturnType<typeof createConnection>} Connection */

/**
 * @param {{url: string, state: import('./state.js').State, status: HTMLElement, ensureVisitor: () => Promise<void>,
 *   hello: () => object, onReady: (frame: any) => void, onFrame: (frame: any) => void, onDown: () => void}} deps
 *   url: the ws(s) URL; hello: the hello frame's fields; onDown: the socket is gone
 */
export function createConnection({ url, state, status, ensureVisitor, hello, onReady, onFrame, onDown }) {
  const s = state.socket;
  const visitor = state.visitor;

  function setStatus() {
    status.textContent = visitor.blocked || s.ready ? '' : !navigator.onLine ? t.offline : s.everReady || s.attempt ? t.reconnecting : t.connecting;
  }

  /** A frame, if the socket is ready (said hello and got ready). @param {object} frame */
  function send(frame) {
    if (!s.ws || !s.ready) return false;
    s.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Visitor token (if needed), then the socket. */
  async function start() {
    if (s.starting || visitor.blocked) return;
    s.starting = true;
    clearTimeout(s.retryTimer);
    s.retryTimer = null;
    setStatus();
    try {
      if (!visitor.token) await ensureVisitor();
      connect();
    } catch {
      scheduleReconnect();
    } finally {
      s.starting = false;
    }
  }

  function connect() {
    if (s.ws && s.ws.readyState <= 1) return;
    const sock = new WebSocket(url);
    s.ws = sock;
    s.ready = false;
    sock.onopen = () => sock.send(JSON.stringify({ type: 'hello', token: visitor.token, ...hello() }));
    sock.onmessage = (ev) => {
      /** @type {any} */
      let f;
      try {
        f = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (s.ws !== sock || !f) return;
      if (f.type === 'ready') {
        s.ready = s.everReady = true;
        s.authFailures = 0;
        s.readyAt = Date.now();
        setStatus();
        onReady(f);
      } else onFrame(f); // 'error' frames precede a close, which is what we act on
    };
    sock.onclose = (ev) => {
      if (s.ws === sock) closed(ev.code);
    };
  }

  /** The socket is gone (or given up on): renew the token after a 4401, otherwise back off and reconnect. @param {number} code */
  function closed(code) {
    s.ws = null;
    s.ready = false;
    onDown();
    if (s.readyAt && Date.now() - s.readyAt >= 60000) s.attempt = 0;
    s.readyAt = 0;
    setStatus();
    if (code === 4401) visitor.token = null; // invalid or expired: renew it (POST /visitors) before reconnecting
    if (code === 4401 && ++s.authFailures <= 2) start(); // at once, unless renewing keeps failing
    else scheduleReconnect();
  }

  /** Exponential backoff with full jitter, 0.5 s → 30 s. */
  function scheduleReconnect() {
    if (visitor.blocked || s.retryTimer) return;
    const ceiling = Math.min(30000, 500 * 2 ** s.attempt++);
    setStatus();
    s.retryTimer = setTimeout(() => {
      s.retryTimer = null;
      start();
    }, Math.max(50, Math.random() * ceiling));
  }

  /** Back from sleep or offline: reconnect, or check that an open socket still answers (a half-open one never closes). */
  function reconnectNow() {
    if (s.ws && s.ready) {
      const sock = s.ws;
      let alive = false;
      sock.addEventListener('message', () => { alive = true; }, { once: true });
      sock.send(JSON.stringify({ type: 'ping' }));
      setTimeout(() => {
        if (!alive && s.ws === sock) {
          sock.close();
          closed(1006);
        }
      }, 5000);
    } else if (!visitor.blocked && !s.starting && !(s.ws && s.ws.readyState <= 1)) start();
  }

  /** Follows the browser's online/offline and visibility events (from when the channel is known). */
  function watchPage() {
    window.addEventListener('online', () => {
      s.attempt = 0;
      reconnectNow();
    });
    window.addEventListener('offline', setStatus);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') reconnectNow();
    });
  }

  return {
    start,
    send,
    setStatus,
    watchPage,
    /** Connects unless a socket or a retry wait exists. */
    ensureConnecting: () => { if (!s.ws && !s.retryTimer) start(); },
    /** Connects unless a socket exists, cutting a retry wait short. */
    connectNow: () => { if (!s.ws) start(); },
  };
}
