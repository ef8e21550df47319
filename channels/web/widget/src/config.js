// GET /config (docs/web-chat.md): the channel's theme and limits, written into the state's defaults. A few
// tries on network or server errors; then the defaults stand.

/** @param {string} api @param {import('./state.js').State} state @returns {Promise<boolean>} false when the channel does not exist */
export async function loadConfig(api, { theme, limits }) {
  for (let i = 0; i < 4; i++) {
    try {
      const res = await fetch(api + '/config');
      if (res.status === 404) return false;
      if (res.ok) {
        const c = await res.json(), th = c && c.theme, l = c && c.limits;
        if (th) for (const k of /** @type {const} */ (['color', 'position', 'title', 'greeting', 'ai_name'])) if (typeof th[k] === 'string') theme[k] = th[k];
        if (l && l.max_text_length > 0) limits.max_text_length = Number(l.max_text_length);
        if (l && l.max_file_bytes > 0) limits.max_file_bytes = Number(l.max_file_bytes);
        if (l && Array.isArray(l.allowed_file_types)) limits.allowed_file_types = l.allowed_file_types.map(String);
      }
      if (res.status < 500) return true; // otherwise keep the defaults
    } catch {
      /* network: retry */
    }
    await new Promise((r) => setTimeout(r, 500 * 2 ** i));
  }
  return true;
}
