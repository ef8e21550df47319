import { h, icon, ICONS } from './dom.js';
import { t } from './i18n.js';
import { humanSize, safeUrl } from './util.js';

// How one stored message looks (a bubble, a notice, attachments, its time) and where its <li> goes in the log.
// Message fields are docs/web-chat.md's WidgetMessage; text is only ever set as text.

/** @typedef {import('./state.js').Msg} Msg */
/** @typedef {import('./state.js').Sender} Sender */
/** @typedef {import('./state.js').Att} Att */
/** @typedef {{theme: import('./state.js').State['theme'], base: string, onImageLoad: () => void, onRate: (m: Msg, score: number, row: HTMLElement) => void}} Look */

/** @param {Sender} s @param {Look['theme']} theme */
export const senderName = (s, theme) => s.name || (s.type === 'ai' ? theme.ai_name || t.assistant : s.type === 'human_agent' ? t.supportAgent : '');

/** @param {string} [iso] now when absent */
export function timeEl(iso) {
  const d = iso ? new Date(iso) : new Date();
  if (isNaN(d.getTime())) return null;
  const el = h('time', { datetime: d.toISOString(), title: d.toLocaleString() });
  el.textContent = (new Date().toDateString() === d.toDateString() ? '' : d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ', ') +
    d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return el;
}

/** @param {Msg} m */
function noticeText(m) {
  if (m.text) return m.text;
  if (m.event === 'agent_joined') return t.agentJoined(m.sender.name);
  if (m.event === 'closed') return t.closed;
  if (m.event === 'reopened') return t.reopened;
  return '';
}

/** The 1–5 row under a rating question (`rating: true`): a click sends the `rate` frame; a later click changes it. @param {Msg} m @param {Look} look */
function ratingRow(m, look) {
  const row = h('div', { class: 'rating', role: 'group', 'aria-label': t.rateHelp });
  for (const n of [1, 2, 3, 4, 5]) {
    const b = h('button', { type: 'button', class: 'rate', 'aria-label': t.rateAs(n), title: t.rateAs(n), 'aria-pressed': 'false' }, [String(n)]);
    b.addEventListener('click', () => look.onRate(m, n, row));
    row.append(b);
  }
  return row;
}

/** @param {Att} a @param {Look} look */
function attachmentEl(a, look) {
  const url = safeUrl(String(a.url || ''), look.base), name = String(a.name || 'file');
  if (String(a.type || '').startsWith('image/') && url) {
    const img = h('img', { alt: name, src: url, loading: 'lazy' });
    img.addEventListener('load', () => look.onImageLoad(), { once: true });
    return h('a', { class: 'att', href: url, target: '_blank', rel: 'noopener noreferrer' }, [img]);
  }
  const kids = [icon(ICONS.file), h('b', {}, [name]), h('small', {}, [humanSize(Number(a.size))])];
  return url ? h('a', { class: 'att file', href: url, target: '_blank', rel: 'noopener noreferrer', download: name }, kids) : h('span', { class: 'att file' }, kids);
}

/** Renders a stored message into `li` (which may have been its pending bubble). @param {HTMLLIElement} li @param {Msg} m @param {Look} look */
export function fill(li, m, look) {
  const sender = m.sender.type, ev = m.event || 'message';
  for (const a of ['class', 'data-pending', 'data-failed', 'data-client-msg-id']) li.removeAttribute(a);
  li.setAttribute('data-message-id', m.id);
  li.setAttribute('data-seq', String(m.seq));
  li.setAttribute('data-sender', sender);
  li.setAttribute('data-event', ev);
  if (m.client_msg_id) li.setAttribute('data-client-msg-id', m.client_msg_id);
  if (ev !== 'message' || sender === 'system') {
    li.className = 'notice';
    li.replaceChildren(h('div', { class: 'bubble' }, [noticeText(m)]), ...(m.rating ? [ratingRow(m, look)] : []));
    return;
  }
  const atts = m.attachments || [];
  const bubble = h('div', { class: 'bubble' }, m.text ? [h('div', { class: 'text' }, [m.text])] : []);
  bubble.append(...atts.map((a) => attachmentEl(a, look)));
  if (!m.text && atts.length && atts.every((a) => String(a.type).startsWith('image/'))) bubble.classList.add('media');
  const time = timeEl(m.created_at);
  li.replaceChildren(...(sender === 'contact' ? [] : [h('div', { class: 'name' }, [senderName(m.sender, look.theme)])]), bubble, ...(time ? [time] : []));
}

/** Puts a stored <li> in seq order: after the last stored item with a lower seq, before the pending sends.
 * @param {HTMLOListElement} log @param {HTMLLIElement} li @param {number} seq */
export function place(log, li, seq) {
  let c = log.lastElementChild;
  const first = log.firstElementChild;
  for (; c; c = c.previousElementSibling) {
    const s = c.getAttribute('data-seq');
    if (c !== li && s != null && c.getAttribute('data-pending') !== 'true' && Number(s) <= seq) break;
  }
  const before = c ? c.nextElementSibling : first && first.hasAttribute('data-greeting') ? first.nextElementSibling : first;
  if (before !== li) log.insertBefore(li, before);
}
