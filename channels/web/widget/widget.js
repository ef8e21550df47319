// @ts-check
/* Switchboard web chat widget (ES2020, no dependencies), served as GET /widget/{public_id}/widget.js.
 * Protocol: docs/web-chat.md. Text from the network or the visitor is only ever set with textContent. */
(function () {
  'use strict';
  /** @type {any} */
  const W = window;
  if (W.__switchboardWidget) return;
  W.__switchboardWidget = true;

  // ---- where we were loaded from: {base}/widget/{public_id}/widget.js
  /** @type {HTMLScriptElement | null} */
  let script = /** @type {any} */ (document.currentScript);
  if (!script || !/\/widget\.js(\?|#|$)/.test(script.src)) {
    const all = /** @type {HTMLScriptElement[]} */ (Array.from(document.querySelectorAll('script[src*="/widget.js"]')));
    script = all[all.length - 1] || null;
  }
  if (!script) return;
  const srcUrl = new URL(script.src, location.href);
  const base = srcUrl.origin;
  const parts = srcUrl.pathname.split('/');
  const publicId = decodeURIComponent(parts[parts.lastIndexOf('widget.js') - 1] || '');
  if (!publicId) return;
  const api = base + '/widget/' + encodeURIComponent(publicId);
  const KEY = 'switchboard:' + publicId + ':';
  /** @type {{user_id?: string, user_hash?: string, user_jwt?: string, name?: string, email?: string, custom_data?: object, token?: string}} */
  const settings = W.SwitchboardSettings && typeof W.SwitchboardSettings === 'object' ? W.SwitchboardSettings : {};
  /** custom_data must be flat (string, finite number or boolean values): anything else would get the hello refused. */
  const customData = (() => {
    const cd = settings.custom_data, out = /** @type {Record<string, string|number|boolean>} */ ({});
    if (!cd || typeof cd !== 'object' || Array.isArray(cd)) return undefined;
    for (const [k, v] of Object.entries(cd)) {
      if (k && k.length <= 200 && (typeof v === 'boolean' || (typeof v === 'number' && isFinite(v)) || (typeof v === 'string' && v.length <= 10000))) out[k] = v;
    }
    return out;
  })();
  const store = {
    /** @param {string} k */
    get: (k) => { try { return localStorage.getItem(KEY + k); } catch { return null; } },
    /** @param {string} k @param {string|null} v */
    set: (k, v) => { try { v == null ? localStorage.removeItem(KEY + k) : localStorage.setItem(KEY + k, v); } catch { /* private mode */ } },
  };

  // ---- state
  const theme = { color: '#4f46e5', position: 'right', title: 'Support', greeting: 'Hi! How can we help?', ai_name: 'Assistant' };
  const limits = { max_text_length: 4000, max_file_bytes: 10485760, allowed_file_types: /** @type {string[]} */ ([]) };
  /** @typedef {{type: string, name: string|null}} Sender */
  /** @typedef {{name: string, type: string, size: number, url: string}} Att */
  /** @typedef {{id: string, seq: number, created_at?: string, client_msg_id?: string|null, event?: string, sender: Sender, text: string|null, attachments?: Att[]}} Msg */
  /** @type {Map<string, {msg: Msg, el: HTMLLIElement, key: string, at: number}>} stored messages by id (`at`: first shown) */
  const messages = new Map();
  /** @typedef {{cid: string, text?: string, file?: File, el: HTMLLIElement, failed?: boolean, timer?: any, tries?: number}} Out */
  /** @type {Map<string, Out>} unacknowledged sends by client_msg_id */
  const outbox = new Map();
  /** @type {string|null} */ let token = null;
  /** @type {string|null} */ let contactId = null;
  /** @type {WebSocket|null} */ let ws = null;
  let wsReady = false, everReady = false, starting = false, blocked = false, isOpen = false, givenUsed = false;
  let attempt = 0, readyAt = 0, authFailures = 0, unread = 0, lastTyping = 0;
  /** @type {any} */ let retryTimer = null;
  let greeting = 'none'; // none | shown | pinned (the visitor answered it) | gone
  let readSeq = Number(store.get('read')) || 0;
  const returning = !!(settings.token || store.get('token'));

  // ---- DOM helpers
  /**
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag @param {Record<string, string>} [attrs] @param {(Node|string)[]} [kids] strings become text nodes
   * @returns {HTMLElementTagNameMap[K]}
   */
  function h(tag, attrs, kids) {
    const el = document.createElement(tag);
    for (const k in attrs) el.setAttribute(k, attrs[k]);
    if (kids) el.append(...kids);
    return el;
  }
  /** @param {string} d @param {string} [cls] */
  function icon(d, cls) {
    const ns = 'http://www.w3.org/2000/svg', s = document.createElementNS(ns, 'svg'), p = document.createElementNS(ns, 'path');
    s.setAttribute('viewBox', '0 0 24 24');
    s.setAttribute('aria-hidden', 'true');
    if (cls) s.setAttribute('class', cls);
    p.setAttribute('d', d);
    s.append(p);
    return s;
  }
  const I = {
    chat: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z',
    x: 'M6 6l12 12M18 6L6 18', min: 'M6 9l6 6 6-6', send: 'M3 20l18-8L3 4v6l12 2-12 2z',
    clip: 'M21 11.5l-8.5 8.5a5 5 0 0 1-7-7L14 4.5a3.5 3.5 0 0 1 5 5L10.5 18a2 2 0 0 1-3-3L15 7.5',
    file: 'M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5',
  };
  /** @param {number} n */
  function humanSize(n) {
    if (!(n >= 0)) return '';
    let i = 0;
    while (n >= 1024 && i < 3) { n /= 1024; i++; }
    return (i && n < 10 ? n.toFixed(1) : Math.round(n)) + ' ' + ['B', 'KB', 'MB', 'GB'][i];
  }
  /** Only http(s) links, so a message can't carry a javascript: URL. @param {string} u */
  function safeUrl(u) {
    if (!u) return null;
    try { const x = new URL(u, base); return /^https?:$/.test(x.protocol) ? x.href : null; } catch { return null; }
  }
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  function uuid() { // randomUUID needs a secure context; fall back for http pages
    if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    const x = Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
    return [x.slice(0, 8), x.slice(8, 12), x.slice(12, 16), x.slice(16, 20), x.slice(20)].join('-');
  }

  // ---- styles (isolated in the shadow root)
  const STYLE = `
:host{all:initial}*,::before,::after{box-sizing:border-box}[hidden]{display:none!important}
.root{--a:#4f46e5;--on:#fff;--grey:#f1f3f6;--text:#1b1f27;--muted:#5d6472;--line:#e3e6eb;--bad:#be123c;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--text);text-align:left;-webkit-font-smoothing:antialiased}
button{font:inherit;color:inherit;cursor:pointer;border:0;background:none;padding:0}
:focus-visible{outline:3px solid var(--ring,var(--a));outline-offset:2px}
svg{width:22px;height:22px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round;flex:none}
.launcher{position:fixed;bottom:20px;right:20px;z-index:2147483000;width:60px;height:60px;border-radius:50%;background:var(--a);color:var(--on);
display:grid;place-items:center;box-shadow:0 6px 20px rgba(15,23,42,.25),0 2px 6px rgba(15,23,42,.15);transition:transform .18s}
.launcher:hover{transform:scale(1.06)}.launcher:focus-visible{outline-offset:4px}.launcher svg{width:28px;height:28px}
.launcher .x,.launcher[aria-expanded=true] .chat{display:none}.launcher[aria-expanded=true] .x{display:block}
.badge{position:absolute;top:-3px;right:-3px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#e11d48;color:#fff;
font-size:12px;font-weight:700;line-height:18px;text-align:center;border:2px solid #fff}
.panel{position:fixed;bottom:92px;right:20px;z-index:2147483001;width:380px;height:600px;max-height:calc(100vh - 112px);max-width:calc(100vw - 40px);
display:flex;flex-direction:column;background:#fff;border-radius:18px;overflow:hidden;
box-shadow:0 18px 50px rgba(15,23,42,.22),0 4px 14px rgba(15,23,42,.12);opacity:0;transform:translateY(14px) scale(.98);
transform-origin:bottom right;transition:opacity .2s,transform .2s}
.panel.open{opacity:1;transform:none}
.left .launcher,.left .panel{right:auto;left:20px}.left .panel{transform-origin:bottom left}.left .badge{right:auto;left:-3px}
header{background:var(--a);color:var(--on);padding:16px 12px 16px 18px;display:flex;align-items:center;gap:12px;flex:none}
.avatar{width:38px;height:38px;border-radius:50%;background:rgba(255,255,255,.22);display:grid;place-items:center;font-weight:700;font-size:17px;flex:none}
.ht{flex:1;min-width:0}h2{margin:0;font-size:17px;font-weight:650;line-height:1.25;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.sub{font-size:13px;opacity:.9}
.min{width:36px;height:36px;border-radius:10px;display:grid;place-items:center}.min:hover{background:rgba(255,255,255,.16)}
.min:focus-visible{outline-color:var(--on);outline-offset:-3px}
.body{flex:1;min-height:0;overflow-y:auto;overscroll-behavior:contain;padding:12px 14px 8px}
ol{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:10px}
li{display:flex;flex-direction:column;align-items:flex-start}li[data-sender=contact]{align-items:flex-end}
.name{font-size:12px;color:var(--muted);margin:0 0 3px 12px;font-weight:600}
.bubble{max-width:82%;padding:9px 13px;border-radius:18px 18px 18px 6px;background:var(--grey);white-space:pre-wrap;overflow-wrap:anywhere}
[data-sender=contact] .bubble{background:var(--a);color:var(--on);border-radius:18px 18px 6px 18px}
.bubble.media{padding:0;background:none}
[data-pending=true] .bubble{opacity:.6}[data-failed=true] .bubble{opacity:.7}
.att{display:block;margin-top:6px;color:inherit}.att:first-child{margin-top:0}
.att img{display:block;max-width:100%;max-height:240px;min-width:96px;min-height:96px;object-fit:contain;image-rendering:auto;border-radius:12px;background:var(--grey)}
.file{display:flex;align-items:center;gap:8px;padding:8px 10px;border-radius:12px;background:rgba(127,127,127,.14);text-decoration:none}
.file b{font-weight:600;overflow-wrap:anywhere}.file small{opacity:.8;white-space:nowrap}
time,.meta{font-size:11px;color:var(--muted);margin:3px 8px 0}
.err{font-size:12.5px;color:var(--bad);margin:4px 6px 0;display:flex;gap:8px;align-items:baseline;flex-wrap:wrap;justify-content:flex-end;max-width:90%;text-align:right}
.retry{font-weight:600;text-decoration:underline;color:var(--bad);border-radius:4px}
li.notice{align-items:center}.notice .bubble{background:none;padding:0 10px;font-size:12.5px;color:var(--muted);text-align:center;max-width:100%}
.typing{display:none;align-items:center;gap:8px;padding:2px 16px 6px;font-size:12.5px;color:var(--muted)}.typing.on{display:flex}
.dots{display:inline-flex;gap:3px}.dots i{width:6px;height:6px;border-radius:50%;background:var(--muted);animation:b 1.2s infinite}
.dots i:nth-child(2){animation-delay:.15s}.dots i:nth-child(3){animation-delay:.3s}
@keyframes b{0%,60%,100%{opacity:.35}30%{transform:translateY(-3px);opacity:1}}
.status:not(:empty){font-size:12.5px;text-align:center;padding:6px 12px;background:#fff7ed;color:#9a3412}
.alert{margin:12px 14px;padding:12px 14px;border-radius:12px;background:#fff1f2;color:#9f1239;font-size:14px}
form{display:flex;align-items:flex-end;gap:6px;padding:10px 10px 10px 12px;border-top:1px solid var(--line)}
textarea{flex:1;resize:none;border:1px solid var(--line);border-radius:14px;padding:9px 12px;font:inherit;color:var(--text);background:#fff;
min-height:40px;max-height:132px;line-height:1.4;overflow-y:auto}
textarea:focus{outline:none;border-color:var(--ring,var(--a));box-shadow:0 0 0 1px var(--ring,var(--a))}textarea:disabled{background:var(--grey)}
.cbtn{width:40px;height:40px;border-radius:12px;display:grid;place-items:center;color:var(--muted)}
.cbtn:hover:not(:disabled){background:var(--grey);color:var(--text)}
.send,.send:hover:not(:disabled){background:var(--a);color:var(--on)}.cbtn:disabled{opacity:.45;cursor:default}
.counter{font-size:11.5px;color:var(--muted);text-align:right;padding:0 14px 6px}.counter.over{color:var(--bad);font-weight:600}
.foot{font-size:11px;color:#6b7280;text-align:center;padding:0 0 8px}
.panel>:not(.body){flex:none}
@media (max-width:480px){
.panel,.left .panel{inset:0;width:auto;height:100vh;height:100dvh;max-height:none;max-width:none;border-radius:0;
padding:0 env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left)}
header{padding-top:calc(14px + env(safe-area-inset-top))}textarea{font-size:16px}
.launcher{bottom:calc(16px + env(safe-area-inset-bottom));right:calc(16px + env(safe-area-inset-right))}
.left .launcher{left:calc(16px + env(safe-area-inset-left))}.launcher[aria-expanded=true]{display:none}}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
@media (forced-colors:active){.bubble,.launcher,.send{border:1px solid CanvasText}}`;

  // ---- the UI
  const host = h('div', { id: 'switchboard-widget' });
  const shadow = host.attachShadow({ mode: 'open' });
  try { // constructed sheets are not blocked by a page's style-src CSP
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    /** @type {any} */ (shadow).adoptedStyleSheets = [sheet];
  } catch { shadow.append(h('style', {}, [STYLE])); }
  const root = h('div', { class: 'root' });
  const badge = h('span', { class: 'badge', 'aria-hidden': 'true', hidden: '' });
  const launcher = h('button', { type: 'button', class: 'launcher', 'aria-label': 'Open chat', 'aria-expanded': 'false', 'aria-controls': 'sb-panel' },
    [icon(I.chat, 'chat'), icon(I.x, 'x'), badge]);
  const titleEl = h('h2');
  const avatar = h('div', { class: 'avatar', 'aria-hidden': 'true' });
  const minBtn = h('button', { type: 'button', class: 'min', 'aria-label': 'Minimize chat' }, [icon(I.min)]);
  const log = h('ol', { role: 'log', 'aria-live': 'polite', 'aria-label': 'Messages' });
  const body = h('div', { class: 'body' }, [log]);
  const alertEl = h('div', { class: 'alert', role: 'alert', hidden: '' });
  const typingText = h('span');
  const typing = h('div', { class: 'typing', 'aria-live': 'polite' }, [h('span', { class: 'dots', 'aria-hidden': 'true' }, [h('i'), h('i'), h('i')]), typingText]);
  const status = h('div', { class: 'status', role: 'status' });
  const textarea = h('textarea', { 'aria-label': 'Message', rows: '1', placeholder: 'Write a message…', enterkeyhint: 'send' });
  const fileInput = h('input', { type: 'file', 'aria-label': 'Choose file', hidden: '', tabindex: '-1', multiple: '' });
  const attachBtn = h('button', { type: 'button', class: 'cbtn', 'aria-label': 'Attach a file' }, [icon(I.clip)]);
  const sendBtn = h('button', { type: 'submit', class: 'cbtn send', 'aria-label': 'Send', disabled: '' }, [icon(I.send)]);
  const form = h('form', {}, [fileInput, attachBtn, textarea, sendBtn]);
  const counter = h('div', { class: 'counter', hidden: '' });
  const panel = h('div', { class: 'panel', id: 'sb-panel', role: 'dialog', 'aria-label': theme.title, hidden: '' }, [
    h('header', {}, [avatar, h('div', { class: 'ht' }, [titleEl, h('div', { class: 'sub' }, ["We're here to help"])]), minBtn]),
    alertEl, body, typing, status, form, counter, h('div', { class: 'foot' }, ['Powered by Switchboard'])]);
  root.append(panel, launcher);
  shadow.append(root);

  function applyTheme() {
    titleEl.textContent = theme.title;
    avatar.textContent = (theme.title.trim()[0] || 'S').toUpperCase();
    panel.setAttribute('aria-label', theme.title);
    root.classList.toggle('left', theme.position === 'left');
    const c = theme.color.trim();
    if (c && W.CSS && CSS.supports('color', c)) {
      root.style.setProperty('--a', c);
      const on = onAccent(c);
      root.style.setProperty('--on', on);
      root.style.setProperty('--ring', on === '#fff' ? c : on); // a light accent is too faint as a focus ring on white
    }
    fileInput.setAttribute('accept', limits.allowed_file_types.join(','));
  }
  /** White or near-black text on the accent, whichever contrasts more (WCAG luminance). @param {string} c */
  function onAccent(c) {
    const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(c);
    if (!m) return '#fff';
    const x = m[1].length === 3 ? m[1].replace(/./g, '$&$&') : m[1];
    const L = [0, 2, 4].reduce((sum, i, k) => {
      const v = parseInt(x.slice(i, i + 2), 16) / 255;
      return sum + [0.2126, 0.7152, 0.0722][k] * (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    }, 0);
    return 1.05 / (L + 0.05) >= (L + 0.05) / 0.05 ? '#fff' : '#111827';
  }

  // ---- open / close
  /** @type {any} */ let closeTimer = null;
  function open() {
    if (isOpen) return;
    isOpen = true;
    clearTimeout(closeTimer);
    panel.hidden = false;
    void panel.offsetWidth; // start the transition from the closed state
    panel.classList.add('open');
    launcher.setAttribute('aria-expanded', 'true');
    launcher.setAttribute('aria-label', 'Close chat');
    markRead();
    maybeGreet();
    scrollDown(true);
    if (!textarea.disabled) textarea.focus();
    if (!ws && !retryTimer) start();
  }
  /** @param {boolean} [refocus] */
  function close(refocus) {
    if (!isOpen) return;
    isOpen = false;
    panel.classList.remove('open');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('aria-label', 'Open chat');
    const still = W.matchMedia && W.matchMedia('(prefers-reduced-motion: reduce)').matches;
    closeTimer = setTimeout(() => { if (!isOpen) panel.hidden = true; }, still ? 0 : 200);
    if (refocus) launcher.focus();
  }
  const toggle = () => (isOpen ? close(true) : open());
  launcher.addEventListener('click', toggle);
  minBtn.addEventListener('click', () => close(true));
  root.addEventListener('keydown', (e) => { if (e.key === 'Escape' && isOpen) { e.preventDefault(); e.stopPropagation(); close(true); } });
  W.Switchboard = { open, close: () => close(false), toggle };

  function markRead() {
    unread = 0;
    badge.hidden = true;
    for (const m of messages.values()) readSeq = Math.max(readSeq, m.msg.seq);
    store.set('read', String(readSeq));
  }

  // ---- rendering
  let stuck = true; // the visitor is at the bottom of the list: follow new messages (and images as they load)
  body.addEventListener('scroll', () => { stuck = body.scrollHeight - body.scrollTop - body.clientHeight < 80; }, { passive: true });
  /** @param {boolean} [force] */
  function scrollDown(force) { if (force || stuck) requestAnimationFrame(() => { body.scrollTop = body.scrollHeight; }); }
  /** @param {string} [iso] */
  function timeEl(iso) {
    const d = iso ? new Date(iso) : new Date();
    if (isNaN(d.getTime())) return null;
    const t = h('time', { datetime: d.toISOString(), title: d.toLocaleString() });
    t.textContent = (new Date().toDateString() === d.toDateString() ? '' : d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ', ') +
      d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return t;
  }
  /** @param {Sender} s */
  const senderName = (s) => s.name || (s.type === 'ai' ? theme.ai_name || 'Assistant' : s.type === 'human_agent' ? 'Support agent' : '');
  /** @param {Msg} m */
  function noticeText(m) {
    if (m.text) return m.text;
    if (m.event === 'agent_joined') return (m.sender.name || 'An agent') + ' joined the conversation';
    if (m.event === 'closed') return 'The conversation was closed';
    if (m.event === 'reopened') return 'The conversation was reopened';
    return '';
  }
  /** @param {Att} a */
  function attachmentEl(a) {
    const url = safeUrl(String(a.url || '')), name = String(a.name || 'file');
    if (String(a.type || '').startsWith('image/') && url) {
      const img = h('img', { alt: name, src: url, loading: 'lazy' });
      img.addEventListener('load', () => scrollDown(), { once: true });
      return h('a', { class: 'att', href: url, target: '_blank', rel: 'noopener noreferrer' }, [img]);
    }
    const kids = [icon(I.file), h('b', {}, [name]), h('small', {}, [humanSize(Number(a.size))])];
    return url ? h('a', { class: 'att file', href: url, target: '_blank', rel: 'noopener noreferrer', download: name }, kids) : h('span', { class: 'att file' }, kids);
  }
  /** Renders a stored message into `li` (which may have been its pending bubble). @param {HTMLLIElement} li @param {Msg} m */
  function fill(li, m) {
    const sender = m.sender.type, ev = m.event || 'message';
    for (const a of ['class', 'data-pending', 'data-failed', 'data-client-msg-id']) li.removeAttribute(a);
    li.setAttribute('data-message-id', m.id);
    li.setAttribute('data-seq', String(m.seq));
    li.setAttribute('data-sender', sender);
    li.setAttribute('data-event', ev);
    if (m.client_msg_id) li.setAttribute('data-client-msg-id', m.client_msg_id);
    if (ev !== 'message' || sender === 'system') {
      li.className = 'notice';
      li.replaceChildren(h('div', { class: 'bubble' }, [noticeText(m)]));
      return;
    }
    const atts = m.attachments || [];
    const bubble = h('div', { class: 'bubble' }, m.text ? [h('div', { class: 'text' }, [m.text])] : []);
    bubble.append(...atts.map(attachmentEl));
    if (!m.text && atts.length && atts.every((a) => String(a.type).startsWith('image/'))) bubble.classList.add('media');
    const t = timeEl(m.created_at);
    li.replaceChildren(...(sender === 'contact' ? [] : [h('div', { class: 'name' }, [senderName(m.sender)])]), bubble, ...(t ? [t] : []));
  }
  /** Puts a stored <li> in seq order: after the last stored item with a lower seq, before the pending sends. @param {HTMLLIElement} li @param {number} seq */
  function place(li, seq) {
    let c = log.lastElementChild, first = log.firstElementChild;
    for (; c; c = c.previousElementSibling) {
      const s = c.getAttribute('data-seq');
      if (c !== li && s != null && c.getAttribute('data-pending') !== 'true' && Number(s) <= seq) break;
    }
    const before = c ? c.nextElementSibling : first && first.hasAttribute('data-greeting') ? first.nextElementSibling : first;
    if (before !== li) log.insertBefore(li, before);
  }
  /** @param {any} m a WidgetMessage */
  function onMessage(m) {
    if (!m || m.id == null) return;
    m.id = String(m.id);
    m.seq = Number(m.seq) || 0;
    m.sender = m.sender && typeof m.sender === 'object' ? m.sender : { type: 'system', name: null };
    const key = JSON.stringify([m.seq, m.event, m.text, m.sender, m.attachments, m.created_at]);
    const known = messages.get(m.id);
    if (known) { // a repeat (reconnect replay, or our own send after its ack): render once, refresh if it changed
      if (known.key !== key) { fill(known.el, m); Object.assign(known, { msg: m, key }); place(known.el, m.seq); }
      return;
    }
    const ob = m.client_msg_id ? outbox.get(m.client_msg_id) : undefined;
    if (ob) { clearTimeout(ob.timer); outbox.delete(ob.cid); }
    const li = ob ? ob.el : h('li');
    fill(li, m);
    messages.set(m.id, { msg: m, el: li, key, at: Date.now() });
    place(li, m.seq);
    if (m.sender.type !== 'contact') {
      clearTyping(m.sender);
      if (!isOpen && (m.event || 'message') === 'message' && m.seq > readSeq) {
        unread++;
        badge.textContent = unread > 9 ? '9+' : String(unread);
        badge.hidden = false;
      }
    }
    if (greeting === 'shown' && !ob) removeGreeting();
    if (isOpen) markRead();
    scrollDown(!!ob);
  }

  // greeting: a local, AI-looking first bubble when there is no history (no data-message-id: it is not stored)
  /** @type {HTMLLIElement|null} */ let greetingEl = null;
  function maybeGreet() {
    if (greeting !== 'none' || messages.size || !theme.greeting) return;
    greeting = 'shown';
    greetingEl = h('li', { 'data-greeting': 'true' }, [h('div', { class: 'name' }, [theme.ai_name || 'Assistant']), h('div', { class: 'bubble' }, [theme.greeting])]);
    log.prepend(greetingEl);
  }
  function removeGreeting() {
    greeting = 'gone';
    if (greetingEl) greetingEl.remove();
  }

  // typing indicator
  /** @type {Map<string, {name: string, timer: any}>} */
  const typers = new Map();
  function renderTyping() {
    const n = Array.from(typers.values(), (t) => t.name);
    typingText.textContent = !n.length ? '' : n.length === 1 ? n[0] + ' is typing…' : n.slice(0, -1).join(', ') + ' and ' + n[n.length - 1] + ' are typing…';
    typing.classList.toggle('on', n.length > 0);
    if (n.length) scrollDown();
  }
  /** @param {Sender} s @param {boolean} active */
  function setTyping(s, active) {
    if (!s || typeof s !== 'object') return;
    const k = s.type + ':' + (s.name || '');
    clearTimeout(typers.get(k)?.timer);
    typers.delete(k);
    if (active) typers.set(k, { name: senderName(s), timer: setTimeout(() => { typers.delete(k); renderTyping(); }, 8000) });
    renderTyping();
  }
  /** A message from a sender ends its typing (matched by type when either side has no name); a system message (say, a
   * hand-over to the agents' queue) ends the AI's. @param {Sender} s */
  function clearTyping(s) {
    for (const [k, t] of typers) {
      const [type, name] = [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)];
      if ((type === s.type && (!name || !s.name || name === s.name)) || (s.type === 'system' && type === 'ai')) { clearTimeout(t.timer); typers.delete(k); }
    }
    renderTyping();
  }

  // ---- sending
  /** A contact bubble for a send that the server has not stored yet. @param {string} cid @param {string} text @param {string} meta */
  function pendingLi(cid, text, meta) {
    const li = h('li', { 'data-sender': 'contact', 'data-pending': 'true', 'data-client-msg-id': cid },
      [h('div', { class: 'bubble' }, [h('div', { class: 'text' }, [text])]), h('span', { class: 'meta' }, [meta])]);
    log.append(li);
    if (greeting === 'shown') greeting = 'pinned';
    scrollDown(true);
    return li;
  }
  /** @param {Out} ob */
  function transmit(ob) {
    if (ob.file || ob.failed || !ws || !wsReady) return;
    ws.send(JSON.stringify({ type: 'send', client_msg_id: ob.cid, text: ob.text }));
  }
  /** @param {Out} ob @param {string} message @param {boolean} canRetry */
  function fail(ob, message, canRetry) {
    ob.failed = true;
    clearTimeout(ob.timer);
    const li = ob.el;
    li.removeAttribute('data-pending');
    li.setAttribute('data-failed', 'true');
    li.querySelector('.meta')?.remove();
    li.querySelector('.err')?.remove();
    const txt = li.querySelector('.text');
    if (ob.file && txt) txt.textContent = ob.file.name;
    const err = h('div', { class: 'err' }, [h('span', {}, [message || 'This message could not be sent.'])]);
    if (canRetry) {
      const b = h('button', { type: 'button', class: 'retry' }, ['Retry']);
      b.addEventListener('click', () => {
        ob.failed = false;
        ob.tries = 0;
        li.removeAttribute('data-failed');
        li.setAttribute('data-pending', 'true');
        err.replaceWith(h('span', { class: 'meta' }, [ob.file ? 'Uploading…' : 'Sending…']));
        log.append(li);
        if (ob.file) upload(ob); else { transmit(ob); if (!ws) start(); }
      });
      err.append(b);
    }
    li.append(err);
    scrollDown();
  }
  function sendText() {
    const text = textarea.value.trim();
    if (blocked || !text || textarea.value.length > limits.max_text_length) return;
    const cid = uuid();
    /** @type {Out} */
    const ob = { cid, text, el: pendingLi(cid, text, 'Sending…') };
    outbox.set(cid, ob);
    textarea.value = '';
    onInput();
    transmit(ob);
    if (!ws && !retryTimer) start();
  }
  /** @param {{client_msg_id: string, id: string, seq: number}} a */
  function onAck(a) {
    const ob = outbox.get(a.client_msg_id);
    if (!ob) return; // its message frame came first
    clearTimeout(ob.timer);
    outbox.delete(ob.cid);
    const id = String(a.id), seq = Number(a.seq) || 0, li = ob.el;
    const known = messages.get(id);
    if (known) { if (known.el !== li) li.remove(); return; }
    li.removeAttribute('data-pending');
    li.setAttribute('data-message-id', id);
    li.setAttribute('data-seq', String(seq));
    const t = timeEl();
    if (t) li.querySelector('.meta')?.replaceWith(t);
    // the server's own message frame will re-render it (key '' never matches)
    messages.set(id, { msg: { id, seq, client_msg_id: ob.cid, sender: { type: 'contact', name: null }, text: ob.text || null }, el: li, key: '', at: Date.now() });
    place(li, seq);
  }
  /** @param {{client_msg_id: string, code: string, message: string, retry_after_ms?: number}} n */
  function onNack(n) {
    const ob = outbox.get(n.client_msg_id);
    if (!ob || ob.failed) return;
    // rate_limited: wait as told; unavailable (the server could not store it): a few automatic tries first
    const auto = n.code === 'rate_limited' || (n.code === 'unavailable' && (ob.tries = (ob.tries || 0) + 1) <= 3);
    if (!auto) return fail(ob, n.message, true);
    clearTimeout(ob.timer);
    ob.timer = setTimeout(() => transmit(ob), Math.max(250, Number(n.retry_after_ms) || 1000 * 2 ** (ob.tries || 1)));
    const meta = ob.el.querySelector('.meta');
    if (meta) meta.textContent = 'Waiting to send…';
  }

  // files
  /** @param {FileList|File[]} files */
  function addFiles(files) {
    for (const file of Array.from(files)) {
      if (blocked) return;
      const cid = uuid();
      /** @type {Out} */
      const ob = { cid, file, el: pendingLi(cid, 'Uploading ' + file.name + '…', humanSize(file.size)) };
      if (file.size > limits.max_file_bytes) {
        fail(ob, '“' + file.name + '” is too large (' + humanSize(file.size) + '). Files can be up to ' + humanSize(limits.max_file_bytes) + '.', false);
        continue;
      }
      outbox.set(cid, ob);
      upload(ob);
    }
  }
  /** @param {Out} ob @param {boolean} [again] */
  async function upload(ob, again) {
    const file = ob.file;
    if (!file) return;
    outbox.set(ob.cid, ob);
    if (!token) await ensureVisitor().catch(() => {});
    const fd = new FormData();
    fd.append('client_msg_id', ob.cid);
    fd.append('file', file, file.name);
    let res;
    try {
      res = await fetch(api + '/messages', { method: 'POST', headers: { Authorization: 'Bearer ' + token }, body: fd });
    } catch {
      if (outbox.has(ob.cid)) fail(ob, 'The upload failed. Check your connection.', true);
      return;
    }
    if (res.status === 401 && !again) {
      await ensureVisitor().catch(() => {});
      if (!blocked) return upload(ob, true);
    }
    /** @type {any} */
    const data = await res.json().catch(() => null);
    if (!outbox.has(ob.cid)) return; // the message frame already replaced the bubble
    if (!res.ok) {
      const wait = res.status === 429 && res.headers.get('Retry-After');
      fail(ob, ((data && typeof data.message === 'string' && data.message) || 'The upload failed (' + res.status + ').') + (wait ? ' Try again in ' + wait + ' s.' : ''),
        res.status >= 429 || res.status === 401);
      return;
    }
    const txt = ob.el.querySelector('.text');
    if (txt) txt.textContent = file.name;
    if (data && data.id != null) onAck({ client_msg_id: ob.cid, id: data.id, seq: data.seq });
  }

  // ---- composer
  function onInput() {
    const v = textarea.value, max = limits.max_text_length, near = v.length >= max * 0.8;
    textarea.style.height = 'auto';
    textarea.style.height = Math.min(textarea.scrollHeight + 2, 132) + 'px';
    counter.hidden = !near;
    counter.classList.toggle('over', v.length > max);
    counter.textContent = !near ? '' : v.length > max ? v.length - max + (v.length - max > 1 ? ' characters' : ' character') + ' over the limit of ' + max : v.length + ' / ' + max;
    sendBtn.disabled = blocked || !v.trim() || v.length > max;
    if (v && ws && wsReady && Date.now() - lastTyping >= 3000) {
      lastTyping = Date.now();
      ws.send(JSON.stringify({ type: 'typing' }));
    }
  }
  textarea.addEventListener('input', onInput);
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) { e.preventDefault(); sendText(); }
  });
  form.addEventListener('submit', (e) => { e.preventDefault(); sendText(); textarea.focus(); });
  attachBtn.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => { if (fileInput.files) addFiles(fileInput.files); fileInput.value = ''; });
  panel.addEventListener('dragover', (e) => { if (e.dataTransfer?.types.includes('Files')) e.preventDefault(); });
  panel.addEventListener('drop', (e) => { if (e.dataTransfer?.files.length) { e.preventDefault(); addFiles(e.dataTransfer.files); } });
  textarea.addEventListener('paste', (e) => { const f = e.clipboardData?.files; if (f && f.length) { e.preventDefault(); addFiles(f); } });

  // ---- network
  function setStatus() {
    status.textContent = blocked || wsReady ? '' : !navigator.onLine ? "You're offline. Reconnecting…" : everReady || attempt ? 'Reconnecting…' : 'Connecting…';
  }
  /** @returns {Promise<boolean>} false when the channel does not exist */
  async function loadConfig() {
    for (let i = 0; i < 4; i++) {
      try {
        const res = await fetch(api + '/config');
        if (res.status === 404) return false;
        if (res.ok) {
          const c = await res.json(), t = c && c.theme, l = c && c.limits;
          if (t) for (const k of /** @type {const} */ (['color', 'position', 'title', 'greeting', 'ai_name'])) if (typeof t[k] === 'string') theme[k] = t[k];
          if (l && l.max_text_length > 0) limits.max_text_length = Number(l.max_text_length);
          if (l && l.max_file_bytes > 0) limits.max_file_bytes = Number(l.max_file_bytes);
          if (l && Array.isArray(l.allowed_file_types)) limits.allowed_file_types = l.allowed_file_types.map(String);
        }
        if (res.status < 500) return true; // otherwise keep the defaults
      } catch { /* network: retry */ }
      await new Promise((r) => setTimeout(r, 500 * 2 ** i));
    }
    return true;
  }
  /** @param {object} payload */
  async function postVisitor(payload) {
    const res = await fetch(api + '/visitors', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
    return { status: res.status, ok: res.ok, /** @type {any} */ data: await res.json().catch(() => null) };
  }
  /** Gets or renews the visitor token (POST /visitors). Throws on transient errors; blocks the widget when the identity is refused. */
  async function ensureVisitor() {
    const uid = settings.user_id != null && settings.user_id !== '' ? String(settings.user_id) : '';
    /** @type {Record<string, any>} */
    const ident = {};
    // An HS256 JWT from the site's server (sub = the user id) is the stronger of the two identity modes: it wins.
    const jwt = typeof settings.user_jwt === 'string' ? settings.user_jwt : '';
    if (jwt) ident.user_jwt = jwt;
    else if (uid) Object.assign(ident, { user_id: uid, user_hash: String(settings.user_hash ?? '') });
    if (typeof settings.name === 'string') ident.name = settings.name;
    if (typeof settings.email === 'string') ident.email = settings.email;
    if (customData) ident.custom_data = customData;
    // A stored token is only reused by the same kind of visitor (same user_id, same "page gave a token", or anonymous),
    // so signing out on a shared computer does not reopen someone else's conversation.
    const who = jwt ? 'user:' + jwtSubject(jwt) : uid ? 'user:' + uid : settings.token ? 'token' : '';
    let stored = store.get('token');
    if (stored && (store.get('user') || '') !== who) { store.set('token', null); stored = null; }
    // a token given by the page (POST /widget/authenticate-user) wins on page load; renewals then use the stored one
    const given = typeof settings.token === 'string' && settings.token && !givenUsed ? settings.token : null;
    givenUsed = true;
    const first = given || stored;
    let r = await postVisitor(first ? { token: first, ...ident } : ident);
    if (r.status === 401 && first) { // that token is no longer good: once more without it
      if (!given) store.set('token', null);
      r = await postVisitor(ident);
    }
    if (r.status === 401 && (uid || jwt)) {
      blocked = true;
      token = null;
      textarea.disabled = attachBtn.disabled = sendBtn.disabled = true;
      alertEl.textContent = "We couldn't verify your identity, so the chat isn't available right now. Please refresh the page or sign in again.";
      alertEl.hidden = false;
      setStatus();
      throw new Error('identity refused');
    }
    if (!r.ok || !r.data || typeof r.data.token !== 'string') throw new Error('POST /visitors: ' + r.status);
    token = r.data.token;
    store.set('token', token);
    store.set('user', who || null);
    const cid = r.data.visitor && r.data.visitor.contact_id;
    if (cid != null) switchContact(String(cid));
  }
  /** The `sub` of a JWT (not verified here: the server does), to tell one signed-in user from another. @param {string} jwt */
  function jwtSubject(jwt) {
    try {
      const part = jwt.split('.')[1] || '';
      return String(JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))).sub || '');
    } catch {
      return '';
    }
  }
  /** A different visitor (e.g. the token expired and we fell back to anonymous): forget the old conversation. @param {string} cid */
  function switchContact(cid) {
    if (contactId && contactId !== cid) {
      for (const m of messages.values()) m.el.remove();
      messages.clear();
      readSeq = 0;
      store.set('read', '0');
    }
    contactId = cid;
  }
  /** Visitor token (if needed), then the socket. */
  async function start() {
    if (starting || blocked) return;
    starting = true;
    clearTimeout(retryTimer);
    retryTimer = null;
    setStatus();
    try {
      if (!token) await ensureVisitor();
      connect();
    } catch {
      scheduleReconnect();
    } finally { starting = false; }
  }
  function connect() {
    if (ws && ws.readyState <= 1) return;
    const sock = new WebSocket(api.replace(/^http/, 'ws') + '/ws');
    ws = sock;
    wsReady = false;
    sock.onopen = () => {
      let after = 0;
      for (const m of messages.values()) after = Math.max(after, m.msg.seq);
      // the ids shown in the last minute (newest 200), so a resume does not send them again
      const seen = Array.from(messages.values()).filter((m) => m.at > Date.now() - 60000 && UUID.test(m.msg.id))
        .sort((a, b) => b.msg.seq - a.msg.seq).slice(0, 200).map((m) => m.msg.id);
      sock.send(JSON.stringify({ type: 'hello', token, after_seq: after, seen_ids: seen, custom_data: customData }));
    };
    sock.onmessage = (ev) => {
      /** @type {any} */
      let f;
      try { f = JSON.parse(String(ev.data)); } catch { return; }
      if (ws !== sock || !f) return;
      if (f.type === 'ready') {
        wsReady = everReady = true;
        authFailures = 0;
        readyAt = Date.now();
        if (f.contact_id != null) switchContact(String(f.contact_id));
        setStatus();
        for (const ob of outbox.values()) transmit(ob);
        if (greeting === 'none') setTimeout(maybeGreet, 600); // after the history replay, if there is none
      } else if (f.type === 'message') onMessage(f.message);
      else if (f.type === 'ack') onAck(f);
      else if (f.type === 'nack') onNack(f);
      else if (f.type === 'typing') setTyping(f.sender, !!f.active);
      // 'error' frames precede a close, which is what we act on
    };
    sock.onclose = (ev) => { if (ws === sock) closed(ev.code); };
  }
  /** The socket is gone (or given up on): renew the token after a 4401, otherwise back off and reconnect. @param {number} code */
  function closed(code) {
    ws = null;
    wsReady = false;
    typers.forEach((t) => clearTimeout(t.timer));
    typers.clear();
    renderTyping();
    if (readyAt && Date.now() - readyAt >= 60000) attempt = 0;
    readyAt = 0;
    setStatus();
    if (code === 4401) token = null; // invalid or expired: renew it (POST /visitors) before reconnecting
    if (code === 4401 && ++authFailures <= 2) start(); // at once, unless renewing keeps failing
    else scheduleReconnect();
  }
  /** Exponential backoff with full jitter, 0.5 s → 30 s. */
  function scheduleReconnect() {
    if (blocked || retryTimer) return;
    const ceiling = Math.min(30000, 500 * 2 ** attempt++);
    setStatus();
    retryTimer = setTimeout(() => { retryTimer = null; start(); }, Math.max(50, Math.random() * ceiling));
  }
  /** Back from sleep or offline: reconnect, or check that an open socket still answers (a half-open one never closes). */
  function reconnectNow() {
    if (ws && wsReady) {
      const sock = ws;
      let alive = false;
      sock.addEventListener('message', () => { alive = true; }, { once: true });
      sock.send(JSON.stringify({ type: 'ping' }));
      setTimeout(() => { if (!alive && ws === sock) { sock.close(); closed(1006); } }, 5000);
    } else if (!blocked && !starting && !(ws && ws.readyState <= 1)) start();
  }
  W.addEventListener('online', () => { attempt = 0; reconnectNow(); });
  W.addEventListener('offline', setStatus);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') reconnectNow(); });

  async function boot() {
    if (!(await loadConfig())) return console.warn('Switchboard: unknown chat channel ' + publicId);
    applyTheme();
    if (!document.getElementById('switchboard-widget')) document.body.append(host);
    if (!returning) maybeGreet();
    start();
  }
  if (document.body) boot();
  else document.addEventListener('DOMContentLoaded', boot, { once: true });
})();
