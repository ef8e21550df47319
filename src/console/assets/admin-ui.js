// Small building blocks shared by the admin sections. Everything goes through dom.js's h(), which only ever sets
// textContent and attributes; event handlers and live properties (value, checked) are attached here afterwards so
// h() never has to know about them.
import { h } from './dom.js';

/** @typedef {import('./dom.js').Child} Child */
/** @typedef {import('./dom.js').Attrs} Attrs */

/** h() plus `on<event>` handlers and `value`/`checked`/`disabled` properties; null/false children are dropped.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {Attrs | null} [attrs] @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, ...children) {
  /** @type {Record<string, string>} */
  const plain = {};
  /** @type {[string, EventListener][]} */
  const handlers = [];
  /** @type {Record<string, unknown>} */
  const props = {};
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') handlers.push([key.slice(2), value]);
    else if (key === 'value' || key === 'checked') props[key] = value;
    else plain[key] = value === true ? '' : String(value);
  }
  // (flattened as unknown[]: a recursive Child is too deep for flat()'s type)
  const kids = /** @type {Child[]} */ (/** @type {unknown[]} */ (children).flat(Infinity)).filter((c) => c !== null && c !== undefined && c !== false);
  const node = h(tag, plain, ...kids.map((c) => (typeof c === 'number' ? String(c) : c)));
  for (const [type, fn] of handlers) node.addEventListener(type, fn);
  /** @type {any} value and checked, on the inputs they are given to */
  const live = node;
  for (const [key, value] of Object.entries(props)) live[key] = value;
  return node;
}

let idSeq = 0;
/** A unique id for label/for pairs. */
export const uid = (prefix = 'f') => `${prefix}-${++idSeq}`;

/** Section header: title, one-line help and action buttons on the right.
 * @param {string} title @param {Child} help @param {...Child} actions */
export function header(title, help, ...actions) {
  return el('div', { class: 'adm-head' },
    el('div', {}, el('h1', {}, title), help ? el('p', { class: 'adm-help' }, help) : null),
    el('div', { class: 'adm-actions' }, ...actions));
}

/** @typedef {{kind?: 'primary' | 'secondary' | 'danger' | 'link', ariaLabel?: string, type?: 'button' | 'submit'}} ButtonOptions */
/** @param {Child} label @param {((e: MouseEvent) => unknown) | null} onclick @param {ButtonOptions} [options] */
export function button(label, onclick, { kind = 'secondary', ariaLabel, type = 'button' } = {}) {
  return el('button', { type, class: `adm-btn adm-btn-${kind}`, 'aria-label': ariaLabel, onclick }, label);
}

/** A labelled input row; returns { row, input }.
 * @template {HTMLElement} E @param {Child} label @param {E} input @param {Child} [hint] */
export function field(label, input, hint) {
  const id = input.id || uid();
  input.id = id;
  const row = el('div', { class: 'adm-field' }, el('label', { for: id }, label), input, hint ? el('small', { class: 'adm-hint' }, hint) : null);
  return { row, input };
}

/** @param {Attrs} [attrs] */
export function input(attrs = {}) {
  return el('input', { type: 'text', class: 'adm-input', ...attrs });
}

/** @param {(string | {value: string, label: string})[]} options @param {string | null} [value] @param {Attrs} [attrs] */
export function select(options, value, attrs = {}) {
  const node = el('select', { class: 'adm-input', ...attrs },
    ...options.map((o) => (typeof o === 'string' ? { value: o, label: o } : o)).map((o) => el('option', { value: o.value }, o.label)));
  if (value !== undefined && value !== null) node.value = value;
  return node;
}

/** @param {string | null | undefined} value @param {Attrs} [attrs] */
export function textarea(value, attrs = {}) {
  return el('textarea', { class: 'adm-input', rows: 6, value: value ?? '', ...attrs });
}

/** A table with a caption for screen readers; rows are arrays of cells (strings or nodes).
 * @param {string} caption @param {Child[]} columns @param {Child[][]} rows @param {string} [empty] */
export function table(caption, columns, rows, empty = 'Nothing here yet.') {
  if (rows.length === 0) return el('div', { class: 'adm-empty' }, empty);
  return el('table', { class: 'adm-table' },
    el('caption', { class: 'adm-sr' }, caption),
    el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', { scope: 'col' }, c)))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c) => el('td', {}, c ?? ''))))));
}

/** @param {Child} text @param {string} [tone] the adm-badge-<tone> style (admin.css) */
export function badge(text, tone = 'neutral') {
  return el('span', { class: `adm-badge adm-badge-${tone}` }, text);
}

/** @typedef {HTMLDivElement & {ok(text: string): void, error(err: any): void, clear(): void}} Notice */
/** A status line (role=status) that sections write outcomes and errors into. @returns {Notice} */
export function notice() {
  const node = /** @type {Notice} */ (el('div', { class: 'adm-notice', role: 'status', 'aria-live': 'polite' }));
  node.ok = (text) => { node.className = 'adm-notice adm-notice-ok'; node.textContent = text; };
  node.error = (err) => { node.className = 'adm-notice adm-notice-error'; node.textContent = err?.message ?? String(err); };
  node.clear = () => { node.className = 'adm-notice'; node.textContent = ''; };
  return node;
}

/** A read-only text field with a Copy button, for webhook URLs and one-time secrets.
 * @param {string} label @param {string} value @param {{secret?: boolean}} [options] */
export function copyBox(label, value, { secret = false } = {}) {
  const id = uid('copy');
  const box = el('input', { id, type: 'text', class: 'adm-input adm-mono', readonly: true, value, 'aria-label': label });
  const done = el('span', { class: 'adm-copied', 'aria-live': 'polite' });
  const copy = async () => {
    box.select();
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      document.execCommand?.('copy');
    }
    done.textContent = 'Copied';
    setTimeout(() => { done.textContent = ''; }, 1500);
  };
  return el('div', { class: `adm-copy${secret ? ' adm-copy-secret' : ''}` },
    el('label', { for: id }, label),
    el('div', { class: 'adm-copy-row' }, box, button('Copy', copy, { ariaLabel: `Copy ${label}` }), done));
}

/** A panel (card) that holds a form; `onSubmit` gets the event already prevented.
 * @param {string} title @param {Child[]} children @param {(status: Notice) => unknown} onSubmit
 * @param {string} [submitLabel] @param {Child[]} [extra] more buttons next to submit */
export function formCard(title, children, onSubmit, submitLabel = 'Save', extra = []) {
  const status = notice();
  const form = el('form', { class: 'adm-card adm-form', 'aria-label': title, novalidate: true },
    el('h2', {}, title), ...children,
    el('div', { class: 'adm-form-actions' }, button(submitLabel, null, { kind: 'primary', type: 'submit' }), ...extra),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    status.clear();
    try {
      await onSubmit(status);
    } catch (err) {
      status.error(err);
    }
  });
  return form;
}

/** @param {string | null | undefined} iso */
export function timeAgo(iso) {
  if (!iso) return 'never';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** Every page of a list endpoint (admin lists are small; stop at 10 pages).
 * @param {import('./api.js').Api} api @param {string} path @param {number} [limit] @returns {Promise<any[]>} */
export async function listAll(api, path, limit = 100) {
  /** @type {any[]} */
  const items = [];
  /** @type {string | null} */
  let cursor = null;
  for (let i = 0; i < 10; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...(page.items ?? []));
    if (!page.next) break;
    cursor = page.next;
  }
  return items;
}

/** @param {string} message */
export function confirmAction(message) {
  return window.confirm(message);
}
