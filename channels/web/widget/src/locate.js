// Where the widget was loaded from — {base}/widget/{public_id}/widget.js (docs/web-chat.md) — and what the page
// set in window.SwitchboardSettings. Read while the script runs: document.currentScript is only set then.

/** @typedef {{user_id?: string, user_hash?: string, user_jwt?: string, name?: string, email?: string, custom_data?: object, token?: string}} Settings */
/** @typedef {Record<string, string|number|boolean>} CustomData */
/** @typedef {{base: string, publicId: string, api: string}} Place */

/** @returns {Place | null} null when the script tag or the channel id cannot be found */
export function locate() {
  /** @type {HTMLScriptElement | null} */
  let script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  if (!script || !/\/widget\.js(\?|#|$)/.test(script.src)) {
    const all = /** @type {HTMLScriptElement[]} */ (Array.from(document.querySelectorAll('script[src*="/widget.js"]')));
    script = all[all.length - 1] || null;
  }
  if (!script) return null;
  const srcUrl = new URL(script.src, location.href);
  const parts = srcUrl.pathname.split('/');
  const publicId = decodeURIComponent(parts[parts.lastIndexOf('widget.js') - 1] || '');
  if (!publicId) return null;
  return { base: srcUrl.origin, publicId, api: srcUrl.origin + '/widget/' + encodeURIComponent(publicId) };
}

/** @returns {Settings} */
export function readSettings() {
  const s = /** @type {any} */ (window).SwitchboardSettings;
  return s && typeof s === 'object' ? s : {};
}

/** custom_data must be flat (string, finite number or boolean values): anything else would get the hello refused.
 * @param {Settings} settings @returns {CustomData | undefined} */
export function flatCustomData(settings) {
  const cd = settings.custom_data;
  /** @type {CustomData} */
  const out = {};
  if (!cd || typeof cd !== 'object' || Array.isArray(cd)) return undefined;
  for (const [k, v] of Object.entries(cd)) {
    if (k && k.length <= 200 && (typeof v === 'boolean' || (typeof v === 'number' && isFinite(v)) || (typeof v === 'string' && v.length <= 10000))) out[k] = v;
  }
  return out;
}
