// Small pure helpers of the widget: ids, sizes, links and a JWT's subject. No DOM, no state.

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A v4 UUID: randomUUID needs a secure context, so http pages get one made from getRandomValues. */
export function uuid() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 15) | 64;
  b[8] = ((b[8] ?? 0) & 63) | 128;
  const x = Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
  return [x.slice(0, 8), x.slice(8, 12), x.slice(12, 16), x.slice(16, 20), x.slice(20)].join('-');
}

/** @param {number} n bytes */
export function humanSize(n) {
  if (!(n >= 0)) return '';
  let i = 0;
  while (n >= 1024 && i < 3) {
    n /= 1024;
    i++;
  }
  return (i && n < 10 ? n.toFixed(1) : Math.round(n)) + ' ' + ['B', 'KB', 'MB', 'GB'][i];
}

/** Only http(s) links, so a message can't carry a javascript: URL. @param {string} u @param {string} base */
export function safeUrl(u, base) {
  if (!u) return null;
  try {
    const x = new URL(u, base);
    return /^https?:$/.test(x.protocol) ? x.href : null;
  } catch {
    return null;
  }
}

/** The `sub` of a JWT (not verified here: the server does), to tell one signed-in user from another. @param {string} jwt */
export function jwtSubject(jwt) {
  try {
    const part = jwt.split('.')[1] || '';
    return String(JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))).sub || '');
  } catch {
    return '';
  }
}
