import { h, icon, ICONS } from './dom.js';
import { t } from './i18n.js';
import { STYLE } from './style.js';

// The widget's DOM: a launcher button and a dialog panel in a shadow root (so the page's CSS stays out), built
// once; the theme from GET /config; following the newest message while the visitor is at the bottom.

/** @typedef {ReturnType<typeof createView>} View */

/** @param {import('./state.js').State} state */
export function createView(state) {
  const host = h('div', { id: 'switchboard-widget' });
  const shadow = host.attachShadow({ mode: 'open' });
  try {
    // constructed sheets are not blocked by a page's style-src CSP
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    shadow.append(h('style', {}, [STYLE]));
  }
  const root = h('div', { class: 'root' });
  const badge = h('span', { class: 'badge', 'aria-hidden': 'true', hidden: '' });
  const launcher = h('button', { type: 'button', class: 'launcher', 'aria-label': t.openChat, 'aria-expanded': 'false', 'aria-controls': 'sb-panel' },
    [icon(ICONS.chat, 'chat'), icon(ICONS.x, 'x'), badge]);
  const titleEl = h('h2');
  const avatar = h('div', { class: 'avatar', 'aria-hidden': 'true' });
  const minBtn = h('button', { type: 'button', class: 'min', 'aria-label': t.minimizeChat }, [icon(ICONS.min)]);
  const log = h('ol', { role: 'log', 'aria-live': 'polite', 'aria-label': t.messages });
  const body = h('div', { class: 'body' }, [log]);
  const alertEl = h('div', { class: 'alert', role: 'alert', hidden: '' });
  const typingText = h('span');
  const typing = h('div', { class: 'typing', 'aria-live': 'polite' }, [h('span', { class: 'dots', 'aria-hidden': 'true' }, [h('i'), h('i'), h('i')]), typingText]);
  const status = h('div', { class: 'status', role: 'status' });
  const textarea = h('textarea', { 'aria-label': t.message, rows: '1', placeholder: t.placeholder, enterkeyhint: 'send' });
  const fileInput = h('input', { type: 'file', 'aria-label': t.chooseFile, hidden: '', tabindex: '-1', multiple: '' });
  const attachBtn = h('button', { type: 'button', class: 'cbtn', 'aria-label': t.attachFile }, [icon(ICONS.clip)]);
  const sendBtn = h('button', { type: 'submit', class: 'cbtn send', 'aria-label': t.send, disabled: '' }, [icon(ICONS.send)]);
  const form = h('form', {}, [fileInput, attachBtn, textarea, sendBtn]);
  const counter = h('div', { class: 'counter', hidden: '' });
  const panel = h('div', { class: 'panel', id: 'sb-panel', role: 'dialog', 'aria-label': state.theme.title, hidden: '' }, [
    h('header', {}, [avatar, h('div', { class: 'ht' }, [titleEl, h('div', { class: 'sub' }, [t.subtitle])]), minBtn]),
    alertEl, body, typing, status, form, counter, h('div', { class: 'foot' }, [t.poweredBy])]);
  root.append(panel, launcher);
  shadow.append(root);

  // the visitor is at the bottom of the list: follow new messages (and images as they load)
  body.addEventListener('scroll', () => { state.ui.stuck = body.scrollHeight - body.scrollTop - body.clientHeight < 80; }, { passive: true });
  /** @param {boolean} [force] */
  const scrollDown = (force) => {
    if (force || state.ui.stuck) requestAnimationFrame(() => { body.scrollTop = body.scrollHeight; });
  };

  /** The identity was refused: nothing can be sent, and the visitor is told why. @param {string} why */
  const block = (why) => {
    textarea.disabled = attachBtn.disabled = sendBtn.disabled = true;
    alertEl.textContent = why;
    alertEl.hidden = false;
  };

  return { host, root, panel, launcher, minBtn, badge, titleEl, avatar, log, alertEl, typing, typingText, status, textarea, fileInput, attachBtn, sendBtn, form, counter, scrollDown, block };
}

/** @param {View} view @param {import('./state.js').State} state */
export function applyTheme(view, { theme, limits }) {
  view.titleEl.textContent = theme.title;
  view.avatar.textContent = (theme.title.trim()[0] || 'S').toUpperCase();
  view.panel.setAttribute('aria-label', theme.title);
  view.root.classList.toggle('left', theme.position === 'left');
  const c = theme.color.trim();
  if (c && /** @type {any} */ (window).CSS && CSS.supports('color', c)) {
    view.root.style.setProperty('--a', c);
    const on = onAccent(c);
    view.root.style.setProperty('--on', on);
    view.root.style.setProperty('--ring', on === '#fff' ? c : on); // a light accent is too faint as a focus ring on white
  }
  view.fileInput.setAttribute('accept', limits.allowed_file_types.join(','));
}

/** White or near-black text on the accent, whichever contrasts more (WCAG luminance). @param {string} c */
function onAccent(c) {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(c)?.[1];
  if (!m) return '#fff';
  const x = m.length === 3 ? m.replace(/./g, '$&$&') : m;
  const L = [0, 2, 4].reduce((sum, i, k) => {
    const v = parseInt(x.slice(i, i + 2), 16) / 255;
    return sum + ([0.2126, 0.7152, 0.0722][k] ?? 0) * (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  }, 0);
  return 1.05 / (L + 0.05) >= (L + 0.05) / 0.05 ? '#fff' : '#111827';
}
