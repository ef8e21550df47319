// Building DOM nodes. Text from the network or the visitor only ever becomes a text node (strings in `kids`)
// or an attribute value: nothing here parses HTML.

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {Record<string, string>} [attrs] @param {(Node|string)[]} [kids] strings become text nodes
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, kids) {
  const el = document.createElement(tag);
  for (const k in attrs) el.setAttribute(k, attrs[k] ?? '');
  if (kids) el.append(...kids);
  return el;
}

/** @param {string} d an SVG path @param {string} [cls] */
export function icon(d, cls) {
  const ns = 'http://www.w3.org/2000/svg';
  const s = document.createElementNS(ns, 'svg');
  const p = document.createElementNS(ns, 'path');
  s.setAttribute('viewBox', '0 0 24 24');
  s.setAttribute('aria-hidden', 'true');
  if (cls) s.setAttribute('class', cls);
  p.setAttribute('d', d);
  s.append(p);
  return s;
}

export const ICONS = {
  chat: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z',
  x: 'M6 6l12 12M18 6L6 18',
  min: 'M6 9l6 6 6-6',
  send: 'M3 20l18-8L3 4v6l12 2-12 2z',
  clip: 'M21 11.5l-8.5 8.5a5 5 0 0 1-7-7L14 4.5a3.5 3.5 0 0 1 5 5L10.5 18a2 2 0 0 1-3-3L15 7.5',
  file: 'M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5',
};
