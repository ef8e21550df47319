// Tiny DOM helpers. Customer data only ever reaches the page through textContent / setAttribute:
// nothing here parses HTML, so a "<script>" in a name or message stays text.

/** What h() and mount() take as children: nested arrays are flattened, null/undefined/false skipped.
 * @typedef {Node | string | number | boolean | null | undefined | Child[]} Child */
/** Attribute values: strings, numbers, true (empty attribute), false/null/undefined (skipped), `on…` listeners,
 * and `dataset` as an object. @typedef {Record<string, any>} Attrs */

/**
 * h('button', { class: 'btn', onclick: fn, 'aria-label': 'Close' }, 'text', childNode, [more])
 * Attributes starting with "on" become event listeners; `false`/`null`/`undefined` attributes are skipped;
 * `true` sets an empty attribute. Children may be strings, numbers, nodes, arrays, or null (skipped).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {Attrs | null} [attrs] @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  /** @type {any} the properties set by name below exist on the elements they are used with */
  const props = el;
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'value' && 'value' in el) {
      props.value = String(value);
    } else if (key === 'checked' || key === 'selected' || key === 'disabled') {
      props[key] = Boolean(value);
      if (value) el.setAttribute(key, '');
    } else if (key === 'dataset' && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** @param {Element} el @param {Child[]} children */
function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces all children of `el` with `children`. @template {Element} E @param {E} el @param {...Child} children */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * Email HTML (sanitized server-side) inside an iframe with an empty sandbox: no scripts, no forms,
 * no same-origin access, no navigation of the console. The srcdoc is set as a property, not parsed into our DOM.
 * A CSP meta inside the document also blocks remote images (tracking pixels) and styles from the network.
 */
/** @param {string} html @param {string} [title] */
export function safeHtmlFrame(html, title = 'Email content') {
  const csp = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">";
  const frame = h('iframe', { sandbox: '', title, class: 'email-frame', referrerpolicy: 'no-referrer' });
  frame.srcdoc = `<!doctype html><html><head>${csp}<base target="_blank"></head><body>${String(html)}</body></html>`;
  return frame;
}

/** "3m", "2h", "5d" or a date: compact relative time for lists. @param {string | null | undefined} iso */
export function timeAgo(iso) {
  if (!iso) return '';
  const then = new Date(iso).getTime();
  const s = Math.max(0, Math.round((Date.now() - then) / 1000));
  if (s < 45) return 'now';
  if (s < 3600) return `${Math.round(s / 60)}m`;
  if (s < 86400) return `${Math.round(s / 3600)}h`;
  if (s < 7 * 86400) return `${Math.round(s / 86400)}d`;
  return new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** A full local date-time for title attributes and message stamps. @param {string | null | undefined} iso */
export function fullTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

/** Initials for an avatar circle. @param {string | null | undefined} name */
export function initials(name) {
  const parts = String(name ?? '?').trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}

/** A short-lived message at the bottom of the screen (role=status so screen readers hear it).
 * @param {string} message @param {'info' | 'ok' | 'error'} [kind] the toast-<kind> style (console.css) */
export function toast(message, kind = 'info') {
  let host = document.getElementById('toasts');
  if (!host) {
    const made = h('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.appendChild(made);
    host = made;
  }
  const item = h('div', { class: `toast toast-${kind}` }, message);
  host.appendChild(item);
  setTimeout(() => item.remove(), 4000);
}
