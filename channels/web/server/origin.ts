// Which sites may embed a channel's widget. Browsers always send Origin on cross-site fetches and WebSocket
// upgrades, so checking it stops another site from driving a visitor's chat (cross-site WebSocket hijacking).
// A request without Origin is not from a browser page: its visitor token is what guards it.

/**
 * Whether `origin` may use the channel: its allow-list, or Switchboard's own pages (the /demo page), known by
 * PUBLIC_URL or by the request's own Host (a page we served, under whatever name the user reached us).
 */
export function originAllowed(
  origin: string | undefined | null,
  allowed: readonly string[],
  publicUrl: string,
  host?: string | undefined,
): boolean {
  if (!origin) return true;
  const o = origin.toLowerCase();
  if (o === new URL(publicUrl).origin.toLowerCase()) return true;
  if (host && URL.canParse(o) && new URL(o).host === host.toLowerCase()) return true;
  return allowed.some((pattern) => matches(o, pattern));
}

function matches(origin: string, pattern: string): boolean {
  if (pattern === '*') return true;
  const wild = /^(https?):\/\/\*\.(.+)$/.exec(pattern);
  if (!wild) return origin === pattern;
  // `https://*.example.com` matches any subdomain (and port as written), never example.com itself or evil-example.com.
  const [, scheme, rest] = wild;
  return origin.startsWith(`${scheme}://`) && origin.endsWith(`.${rest}`) && origin.length > `${scheme}://.${rest}`.length;
}
